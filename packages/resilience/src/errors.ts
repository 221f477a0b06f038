import { isBrokenCircuitError, isBulkheadRejectedError } from 'cockatiel';

/**
 * Two markers that decide what a retry loop does with an error:
 * - transient (a dependency is unavailable right now): retry with backoff for as long as it lasts;
 *   a message consumer never dead-letters it, an HTTP route answers 503;
 * - fatal (it can never succeed: invalid input, a poison message): do not retry.
 * Anything else is an ordinary failure: retry up to a limit.
 * An error is marked by a property (`transient = true` / `fatal = true`), so any error class can
 * carry the marker, and guards read the property, not `instanceof`, so errors from another copy of
 * a package match too.
 */

/** A dependency is unavailable right now; retrying later may succeed. */
export class TransientError extends Error {
  override readonly name: string = 'TransientError';
  readonly transient = true;
}

/** Can never succeed on retry. */
export class FatalError extends Error {
  override readonly name: string = 'FatalError';
  readonly fatal = true;
}

/** Driver codes that mean "the dependency is unreachable or busy", not "the request is wrong". */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN', // DNS lookup failed for now
  'EHOSTUNREACH',
  'ENETUNREACH',
  'PROTOCOL_CONNECTION_LOST', // mysql2: the server closed the connection
  'PROTOCOL_SEQUENCE_TIMEOUT', // mysql2: no answer within the query/handshake timeout
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', // mysql2: a command on a connection that already died
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN', // the server is shutting down
  'PLT_KFK_NETWORK', // @platformatic/kafka: the broker could not be reached
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
]);

/**
 * ioredis and mysql2 say "no connection" or "no answer in time" in messages only: ioredis with its
 * offline queue off, a closed connection, its `commandTimeout`, its retry limit per command;
 * mysql2 on a connection that already died (code-less, `fatal: true`) or a closed pool.
 */
const TRANSIENT_MESSAGE = new RegExp(
  [
    "Stream isn't writeable",
    'Connection is closed',
    'Command timed out',
    'max retries per request limit',
    'Pool is closed',
    "Can't add new command when connection is in closed state",
    "Can't write in closed state",
  ].join('|'),
);

/**
 * True for errors that mean "a dependency is unavailable right now": the `transient` marker,
 * common driver codes, cockatiel's breaker/bulkhead rejections — looked for in `cause` chains and
 * `AggregateError.errors` too (drivers nest the socket error).
 */
export function isTransient(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as { transient?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  if (err.transient === true) return true;
  if (typeof err.code === 'string' && TRANSIENT_CODES.has(err.code)) return true;
  // cockatiel's rejections: the breaker is open or the bulkhead is full — the dependency is the
  // cause. Their `name` is plain 'Error'; the guards read a marker property.
  if (isBrokenCircuitError(e) || isBulkheadRejectedError(e)) return true;
  if (typeof err.message === 'string' && TRANSIENT_MESSAGE.test(err.message)) return true;
  const nested = (e as { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.some((x) => x !== e && isTransient(x))) return true;
  return err.cause !== undefined && err.cause !== e && isTransient(err.cause);
}

/**
 * True for errors marked `fatal = true` that are not transient: retrying can never succeed.
 * Transient wins because mysql2 sets its own `fatal: true` on every error that killed its
 * connection (`connect ETIMEDOUT`, `ECONNRESET`, …): an outage, not a poison message. Before this
 * rule the router dead-lettered messages whenever MySQL was slow to accept connections.
 */
export function isFatal(e: unknown): boolean {
  if (typeof e !== 'object' || e === null || (e as { fatal?: unknown }).fatal !== true) return false;
  return !isTransient(e);
}
