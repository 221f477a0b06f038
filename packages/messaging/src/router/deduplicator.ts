import type { Redis } from 'ioredis';
import { TransientError } from '@surge/resilience';
import type { Middleware } from './middleware.ts';

/** Where processed event ids are remembered; shared, so it holds across instances and restarts. */
export interface DedupeStore {
  seen(key: string): Promise<boolean>;
  remember(key: string, ttlMs: number): Promise<void>;
}

/** A Redis-backed store: one key per processed event, expiring after the dedupe window. */
export function createRedisDedupeStore(redis: Redis, prefix = 'surge:dedupe:'): DedupeStore {
  return {
    seen: async (key) => (await redis.exists(prefix + key)) === 1,
    remember: async (key, ttlMs) => void (await redis.set(prefix + key, '1', 'PX', ttlMs)),
  };
}

/**
 * Skips a delivery whose event id this group already processed (transport redeliveries after a
 * crash or rebalance), and remembers ids after success. The window (`ttlMs`, default 24 h) must
 * exceed the longest redelivery delay. It narrows duplicates; handlers whose side effects must
 * happen exactly once still make them idempotent in their own store (G6). A store outage is
 * a transient error: the record waits rather than risk a duplicate.
 */
export function deduplicator(opts: { store: DedupeStore; group: string; ttlMs?: number }): Middleware {
  const ttlMs = opts.ttlMs ?? 24 * 3_600_000;
  return (next) => async (delivery, signal) => {
    const key = `${opts.group}:${delivery.id}`;
    let seen: boolean;
    try {
      seen = await opts.store.seen(key);
    } catch (cause) {
      throw new TransientError('dedupe store unavailable', { cause });
    }
    if (seen) return;
    await next(delivery, signal);
    try {
      await opts.store.remember(key, ttlMs);
    } catch {
      // The side effect happened; failing now would redo it. A missed remember only means the
      // handler's own idempotency has to catch a later redelivery.
    }
  };
}
