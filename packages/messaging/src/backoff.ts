/** Capped exponential backoff with jitter. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. Default 100 ms. */
  baseMs?: number;
  /** Upper bound of any delay. Default 5000 ms. */
  maxMs?: number;
}

/**
 * Delay before retry number `attempt` (1-based): `min(maxMs, baseMs · 2^(attempt-1))`, then
 * "equal jitter" (half fixed, half random: AWS Architecture Blog, "Exponential Backoff And
 * Jitter") so a fleet of relays that failed together does not retry together, yet never retries
 * hot.
 * @param random injectable for tests; returns [0, 1)
 */
export function backoffMs(
  attempt: number,
  opts: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = opts.baseMs ?? 100;
  const max = opts.maxMs ?? 5000;
  const capped = Math.min(max, base * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return Math.round(capped / 2 + (capped / 2) * random());
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
