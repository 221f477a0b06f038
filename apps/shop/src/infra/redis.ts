import { Redis } from 'ioredis';

/**
 * An ioredis client that fails fast instead of queueing when Redis is down (SPEC G8): no offline
 * queue, one retry per command, a per-command timeout, and reconnection with capped backoff so
 * the service heals by itself when Redis returns.
 */
export function createRedis(url: string, opts: { timeoutMs: number; name: string }): Redis {
  return new Redis(url, {
    connectionName: opts.name,
    connectTimeout: opts.timeoutMs,
    commandTimeout: opts.timeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: false,
    retryStrategy: (attempt) =>
      Math.min(50 * 2 ** Math.min(attempt, 6), 2000) + Math.floor(Math.random() * 100),
  });
}

/**
 * Waits until the client is connected, up to `timeoutMs`; resolves false on timeout instead of
 * throwing, because the service starts (degraded, ready 503) even when Redis is down.
 */
export async function redisConnected(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    const onReady = () => done(true);
    function done(ok: boolean) {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    }
    redis.once('ready', onReady);
  });
}
