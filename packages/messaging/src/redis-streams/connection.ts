import { Redis, type RedisOptions } from 'ioredis';

/**
 * Opens an ioredis connection that fails fast instead of queueing while Redis is down (no
 * offline queue, one retry per command, `commandTimeoutMs` on every command) and reconnects by
 * itself with capped, jittered backoff. Resolves once it is ready; rejects after
 * `connectTimeoutMs` (and stops reconnecting) when Redis cannot be reached.
 */
export async function openRedis(
  url: string,
  opts: { name: string; commandTimeoutMs: number; connectTimeoutMs: number; redisOptions?: RedisOptions },
  onError: (err: unknown) => void,
): Promise<Redis> {
  const redis = new Redis(url, {
    ...opts.redisOptions,
    connectionName: opts.name,
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: opts.connectTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: (attempt) =>
      Math.min(50 * 2 ** Math.min(attempt, 6), 2000) + Math.floor(Math.random() * 100),
  });
  // Without a listener ioredis prints every reconnect failure itself.
  redis.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${url}: not ready within ${opts.connectTimeoutMs} ms`)),
          opts.connectTimeoutMs,
        );
      }),
    ]);
    return redis;
  } catch (err) {
    redis.disconnect();
    throw err;
  } finally {
    clearTimeout(timer);
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
