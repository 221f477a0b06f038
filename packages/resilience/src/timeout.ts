import { isTaskCancelledError, timeout, TimeoutStrategy } from 'cockatiel';

/** A call that did not settle within its budget. Transient: the dependency may only be slow. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'E_TIMEOUT';
  readonly transient = true;
  /** The budget that was exceeded, ms. */
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number, options?: ErrorOptions) {
    super(`${what} timed out after ${timeoutMs} ms`, options);
    this.timeoutMs = timeoutMs;
  }
}

/** True for a {@link TimeoutError} (by `code`, so copies of this package match). */
export const isTimeoutError = (e: unknown): e is TimeoutError =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'E_TIMEOUT';

export interface TimeoutOptions {
  /** The caller's signal: when it aborts first, the call rejects with its `reason`. */
  signal?: AbortSignal;
  /** Names the call in the error message, e.g. `GET_LOCK`. Default `operation`. */
  what?: string;
}

/**
 * Runs `work` with a budget of `timeoutMs`: the signal handed to `work` aborts at the deadline (or
 * when `opts.signal` aborts), and the returned promise rejects at that moment with a
 * {@link TimeoutError} (or the caller's abort reason) even if `work` ignores its signal
 * (cockatiel's aggressive timeout). `work`'s late result or rejection is then dropped, never
 * unhandled. The signal is also aborted once `work` settled, so it can release what it holds.
 */
export async function withTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  opts: TimeoutOptions = {},
): Promise<T> {
  opts.signal?.throwIfAborted();
  const policy = timeout(timeoutMs, TimeoutStrategy.Aggressive);
  let timedOut = false;
  const listener = policy.onTimeout(() => (timedOut = !opts.signal?.aborted));
  try {
    return await policy.execute(({ signal }) => work(signal), opts.signal);
  } catch (err) {
    if (isTaskCancelledError(err)) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (timedOut) throw new TimeoutError(opts.what ?? 'operation', timeoutMs, { cause: err });
    }
    throw err;
  } finally {
    listener.dispose();
  }
}
