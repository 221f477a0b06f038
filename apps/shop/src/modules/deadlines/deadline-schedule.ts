import type { Redis } from 'ioredis';

/**
 * When each confirmed order's payment is due, in one Redis sorted set (member orderId, score the
 * due time in ms). Fast to poll, but only a schedule: Redis may lose it, so a periodic MySQL sweep
 * finds overdue orders too, and every cancellation is re-checked against MySQL.
 */
export function createDeadlineSchedule(redis: Redis, opts: { key: string }) {
  return {
    /** Idempotent: the same order and due time twice is one entry. */
    async schedule(orderId: string, dueAtMs: number): Promise<void> {
      await redis.zadd(opts.key, dueAtMs, orderId);
    },
    /** Up to `limit` orders due at `nowMs`, earliest first. */
    async due(nowMs: number, limit: number): Promise<string[]> {
      return redis.zrangebyscore(opts.key, '-inf', nowMs, 'LIMIT', 0, limit);
    },
    async remove(orderIds: readonly string[]): Promise<void> {
      if (orderIds.length > 0) await redis.zrem(opts.key, ...orderIds);
    },
    size: () => redis.zcard(opts.key),
  };
}

export type DeadlineSchedule = ReturnType<typeof createDeadlineSchedule>;
