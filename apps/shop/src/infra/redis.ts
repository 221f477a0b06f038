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
