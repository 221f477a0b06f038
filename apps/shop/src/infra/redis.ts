import { Redis } from 'ioredis';
import { failFastRedisOptions, whenReady } from '@surge/redis-kit';

/**
 * The service's ioredis client: fails fast instead of queueing when Redis is down (G8) and
 * reconnects by itself when Redis returns (redis-kit `failFastRedisOptions`).
 */
export function createRedis(url: string, opts: { timeoutMs: number; name: string }): Redis {
  return new Redis(url, {
    ...failFastRedisOptions({ commandTimeoutMs: opts.timeoutMs, connectionName: opts.name }),
    lazyConnect: false,
  });
}

/**
 * Waits until the client is connected, up to `timeoutMs`; resolves false on timeout instead of
 * throwing, because the service starts (degraded, ready 503) even when Redis is down.
 */
export const redisConnected = (redis: Redis, timeoutMs: number): Promise<boolean> =>
  whenReady(redis, timeoutMs).then(
    () => true,
    () => false,
  );
