/**
 * Error classes the router uses to decide what to do with a failed delivery:
 * - transient (a dependency is down): retry with capped backoff for as long as it lasts, never
 *   dead-letter — a MySQL outage must not turn good messages into dead letters;
 * - fatal (the message can never succeed: schema-invalid, malformed, marked fatal): dead-letter now;
 * - anything else is a handler error: retry up to the limit, then dead-letter.
 * Guards look at `name`/a marker property, not `instanceof`, so errors from other copies match.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  readonly transient = true;
}

export class FatalError extends Error {
  override readonly name = 'FatalError';
  readonly fatal = true;
}

export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  readonly fatal = true;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
]);

/** True for errors that mean "a dependency is unavailable right now", including common driver codes. */
export function isTransient(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as {
    transient?: unknown;
    code?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (err.transient === true) return true;
  if (typeof err.code === 'string' && CONNECTION_CODES.has(err.code)) return true;
  if (err.name === 'BrokenCircuitError' || err.name === 'BulkheadRejectedError') return true;
  if (
    typeof err.message === 'string' &&
    /Stream isn't writeable|Connection is closed|Pool is closed/.test(err.message)
  ) {
    return true;
  }
  const nested = (e as { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.some((x) => x !== e && isTransient(x))) return true;
  return err.cause !== undefined && err.cause !== e && isTransient(err.cause);
}

/** True for errors that can never succeed on retry. */
export function isFatal(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as { fatal?: unknown; code?: unknown };
  return err.fatal === true || err.code === 'E_MALFORMED_RECORD';
}
