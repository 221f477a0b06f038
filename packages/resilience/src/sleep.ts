/**
 * Resolves after `ms`, or early — resolving, never rejecting — when `signal` aborts, so a loop can
 * sleep between retries and check its own stop flag afterwards. Uses the global `setTimeout`
 * (unlike `node:timers/promises`, node:test's fake timers drive it).
 */
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
