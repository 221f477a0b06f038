import { decorrelatedJitterGenerator, ExponentialBackoff, type IBackoffFactory } from 'cockatiel';

/** How retry delays grow. Every retry loop of Surge takes these two numbers, nothing else. */
export interface BackoffOptions {
  /**
   * Scale of the delays: the first is below ~1.4 × this (median ~0.9 ×), and the medians roughly
   * double per attempt from the third on. Default 100 ms.
   */
  baseMs?: number;
  /** No delay exceeds this. Default 5000 ms. */
  maxMs?: number;
}

/** Attempts past this all wait `maxMs`: the exponential part has long passed any sane cap. */
const MAX_STEPS = 64;

/**
 * The one backoff of Surge: cockatiel's `ExponentialBackoff` with its decorrelated jitter
 * generator (Polly's "DecorrelatedJitterBackoffV2", https://github.com/App-vNext/Polly/issues/530):
 * delays grow exponentially from `baseMs` up to `maxMs`, and each is random, so a fleet that
 * failed together does not retry together. Pass it to cockatiel's `retry(…, { backoff })`.
 */
export function exponentialBackoff(opts: BackoffOptions = {}): IBackoffFactory<unknown> {
  const baseMs = opts.baseMs ?? 100;
  const maxMs = opts.maxMs ?? 5000;
  if (!(baseMs > 0 && maxMs >= baseMs)) {
    throw new RangeError(`backoff: need 0 < baseMs <= maxMs, got ${baseMs} / ${maxMs}`);
  }
  return new ExponentialBackoff({
    generator: decorrelatedJitterGenerator,
    initialDelay: baseMs,
    maxDelay: maxMs,
    exponent: 2,
  });
}

/**
 * Delay before retry number `attempt` (1-based; below 1 counts as 1), in whole ms, drawn from
 * {@link exponentialBackoff}: for loops that only keep a counter (a delivery count that survives
 * restarts, consecutive failures). Each call draws afresh, so successive calls are independent
 * samples with the same distribution as the sequence's n-th delay.
 */
export function backoffMs(attempt: number, opts: BackoffOptions = {}): number {
  const steps = Math.min(Math.max(1, Math.floor(attempt)), MAX_STEPS);
  let delay = exponentialBackoff(opts).next(undefined);
  for (let i = 1; i < steps; i++) delay = delay.next(undefined);
  return Math.round(delay.duration);
}
