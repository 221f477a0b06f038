import { setTimeout as delay } from 'node:timers/promises';
import { withTimeout } from '@surge/resilience';

/**
 * Polls `condition` (sync or async) every `intervalMs` (default 20) until it holds. Rejects after `timeoutMs`
 * with `what` in the message — when `what` is a function it is called at the deadline, so the
 * failure can say what was still missing ("1187/1200 received") rather than just "timed out".
 * A throwing `condition` rejects at once.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string),
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) {
      const detail = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${detail}`);
    }
    await delay(intervalMs);
  }
}

/** Resolves with `promise`, or rejects after `timeoutMs` saying what did not happen in time. */
export function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return withTimeout(() => promise, timeoutMs, { what: `waiting for ${what}` });
}
