import { withTimeout } from '@surge/resilience';
import type { RedisClient } from '../scripts/define-script.ts';

/**
 * Resolves once `redis` is ready (at once if it is), without issuing a command; rejects with a
 * transient `TimeoutError` after `timeoutMs`, or with `signal`'s reason. It never connects by
 * itself: a `lazyConnect` client must be connected by its owner. Failed reconnects ('error'
 * events) do not end the wait, only the deadline does.
 */
export async function whenReady(
  redis: RedisClient,
  timeoutMs: number,
  opts: { signal?: AbortSignal } = {},
): Promise<void> {
  if (redis.status === 'ready') return;
  const name = (redis.options as { connectionName?: string }).connectionName ?? 'unnamed';
  await withTimeout(
    (signal) =>
      new Promise<void>((resolve) => {
        // Named: the test checks that no `whenReadyListener` is left behind (ioredis adds its own
        // 'ready' listener during every connection attempt).
        const whenReadyListener = () => resolve();
        redis.once('ready', whenReadyListener);
        // Settled or timed out: withTimeout aborts the signal either way.
        signal.addEventListener('abort', () => redis.off('ready', whenReadyListener), { once: true });
      }),
    timeoutMs,
    { ...opts, what: `waiting for Redis connection '${name}' (status ${redis.status}) to be ready` },
  );
}
