import {
  bulkhead,
  isBulkheadRejectedError,
  isTaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { CacheBulkheadFullError, CacheLoadTimeoutError } from './errors.ts';

/**
 * How a loader runs: behind a per-process bulkhead (at most `maxConcurrent` loader calls, up to
 * `maxQueued` waiting, the rest refused at once) so that a Redis outage — every read a miss —
 * cannot turn into one database query per request (docs/architecture.md, degradation); and under a timeout that aborts the
 * loader's signal. The timeout wraps the bulkhead, so time spent queued counts.
 */
export function createLoadPolicy(opts: { maxConcurrent: number; maxQueued: number }) {
  const slots = bulkhead(opts.maxConcurrent, opts.maxQueued);
  return {
    /**
     * Runs `loader`. Throws {@link CacheBulkheadFullError} when full, {@link CacheLoadTimeoutError}
     * after `timeoutMs`, or the loader's own error.
     */
    async run<T>(key: string, loader: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
      try {
        return await wrap(timeout(timeoutMs, TimeoutStrategy.Aggressive), slots).execute(({ signal }) =>
          loader(signal),
        );
      } catch (err) {
        if (isBulkheadRejectedError(err)) throw new CacheBulkheadFullError(key, { cause: err });
        if (isTaskCancelledError(err)) throw new CacheLoadTimeoutError(key, timeoutMs, { cause: err });
        throw err;
      }
    },
    /** Loader calls running now. */
    get active(): number {
      return opts.maxConcurrent - slots.executionSlots;
    },
  };
}

export type LoadPolicy = ReturnType<typeof createLoadPolicy>;
