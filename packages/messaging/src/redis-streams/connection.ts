import { Redis, type RedisOptions } from 'ioredis';
import { failFastRedisOptions } from '@surge/redis-kit';
import { withTimeout } from '@surge/resilience';

/**
 * Opens an ioredis connection that fails fast instead of queueing while Redis is down and
 * reconnects by itself (redis-kit `failFastRedisOptions`). Resolves once it is ready; rejects
 * after `connectTimeoutMs` (and stops reconnecting) when Redis cannot be reached.
 */
export async function openRedis(
  url: string,
  opts: { name: string; commandTimeoutMs: number; connectTimeoutMs: number; redisOptions?: RedisOptions },
  onError: (err: unknown) => void,
): Promise<Redis> {
  const redis = new Redis(url, {
    ...opts.redisOptions,
    ...failFastRedisOptions({
      connectionName: opts.name,
      commandTimeoutMs: opts.commandTimeoutMs,
      connectTimeoutMs: opts.connectTimeoutMs,
    }),
    lazyConnect: true,
  });
  // Without a listener ioredis prints every reconnect failure itself.
  redis.on('error', onError);
  try {
    await withTimeout(() => redis.connect(), opts.connectTimeoutMs, { what: `connecting to ${url}` });
    return redis;
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}

/** QUITs politely (bounded by the command timeout), else drops the connection. */
export async function closeRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
