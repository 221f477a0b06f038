import { backoffMs, isFatal, isTransient, sleep } from '@surge/resilience';
import type { Middleware } from './middleware.ts';

export interface RetryOptions {
  /** Attempts for handler errors, the first included. Default 5. */
  maxAttempts?: number;
  /** Scale of the backoff (resilience `backoffMs`: grows exponentially, jittered). Default 100 ms. */
  baseMs?: number;
  /** Backoff cap for handler errors. Default 10000 ms. */
  maxMs?: number;
  /** Backoff cap while a dependency is down (transient errors retry without limit). Default 30000 ms. */
  transientMaxMs?: number;
  /** Called before each wait; for logs and metrics. */
  onRetry?: (info: { error: unknown; attempt: number; transient: boolean; delayMs: number }) => void;
}

export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
  readonly attempts: number;
  constructor(attempts: number, cause: unknown) {
    super(`gave up after ${attempts} attempts: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.attempts = attempts;
  }
}

/**
 * Retries in place (the partition waits, so order holds):
 * - fatal errors are rethrown at once (dead-letter);
 * - transient errors (dependency down) retry for as long as they last, with capped backoff, and
 *   never count toward the limit — an outage must not produce dead letters;
 * - other errors retry up to `maxAttempts` (counting the transport's earlier deliveries), then
 *   throw `RetriesExhaustedError`.
 * Stops waiting when the signal aborts (shutdown) and rethrows, so nothing is acked.
 */
export function retry(opts: RetryOptions = {}): Middleware {
  const maxAttempts = opts.maxAttempts ?? 5;
  const baseMs = opts.baseMs ?? 100;
  const maxMs = opts.maxMs ?? 10_000;
  const transientMaxMs = opts.transientMaxMs ?? 30_000;
  return (next) => async (delivery, signal) => {
    // Deliveries the transport already made count too: a record that crashed earlier processes
    // (Redis Streams keeps its delivery count across restarts) reaches the limit and is
    // dead-lettered instead of crash-looping forever.
    let attempt = Math.max(1, delivery.deliveryAttempt);
    let outage = 0;
    for (;;) {
      try {
        await next(delivery, signal);
        return;
      } catch (error) {
        if (isFatal(error) || signal.aborted) throw error;
        const transient = isTransient(error);
        if (!transient && attempt >= maxAttempts) throw new RetriesExhaustedError(attempt, error);
        const delayMs = transient
          ? backoffMs(++outage, { baseMs, maxMs: transientMaxMs })
          : backoffMs(attempt, { baseMs, maxMs });
        opts.onRetry?.({ error, attempt, transient, delayMs });
        await sleep(delayMs, signal);
        if (signal.aborted) throw error;
        if (!transient) attempt++;
      }
    }
  };
}
