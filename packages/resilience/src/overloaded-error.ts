/** Why work was refused: a full queue, too long a wait in it, or the load shedder. */
export type OverloadReason = 'queue-full' | 'queue-timeout' | 'shed';

/**
 * Work refused because this process is at capacity — a bulkhead's queue is full or its wait
 * budget ran out, or the load shedder dropped the request. Transient: the same call may succeed
 * shortly, so an HTTP route answers 503 with `Retry-After` (never 500) and a retry loop backs off.
 */
export class OverloadedError extends Error {
  override readonly name = 'OverloadedError';
  readonly code = 'E_OVERLOADED';
  readonly transient = true;
  readonly reason: OverloadReason;
  /** What is at capacity: a bulkhead's name (`mysql`, `password-hashing`) or `load-shedder`. */
  readonly what: string;
  /** How long a client should wait before retrying, ms. */
  readonly retryAfterMs: number;
  constructor(what: string, reason: OverloadReason, retryAfterMs: number, options?: ErrorOptions) {
    super(`${what} is at capacity (${reason}); retry shortly`, options);
    this.what = what;
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The {@link OverloadedError} that `e` is or has in its `cause` chain (drivers and query builders
 * may wrap it), recognised by `code` so copies of this package match; `undefined` if none.
 */
export function findOverloadedError(e: unknown): OverloadedError | undefined {
  for (let err = e, depth = 0; typeof err === 'object' && err !== null && depth < 5; depth++) {
    if ((err as { code?: unknown }).code === 'E_OVERLOADED') return err as OverloadedError;
    err = (err as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when {@link findOverloadedError} finds one. */
export const isOverloadedError = (e: unknown): boolean => findOverloadedError(e) !== undefined;
