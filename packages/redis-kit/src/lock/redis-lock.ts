import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../scripts/define-script.ts';
import { unlockScript as unlock } from './lock-scripts.ts';

/** A lock this process holds. */
export interface HeldLock {
  readonly key: string;
  /** Random per acquisition; only the holder knows it, so only the holder can release. */
  readonly token: string;
  /**
   * Releases the lock if it is still ours: resolves true, or false when it had expired (and may
   * be held by someone else now, whose lock stays intact). Rejects when Redis fails; the lock
   * then expires by itself after its TTL.
   */
  release(): Promise<boolean>;
}

export interface RedisLockOptions {
  /** How long a lock lives unless released, ms: bounds how long a crashed holder blocks others. */
  ttlMs: number;
}

/**
 * Mutual exclusion on one Redis (the usual single-instance lock, https://redis.io/docs/latest/develop/use/patterns/distributed-locks/):
 * `SET key token NX PX ttlMs` takes it, `unlock-1.lua` releases it by compare-and-delete on the
 * owner token; a crashed holder's lock expires after `ttlMs`. It is a lease, not a guarantee:
 * a holder paused past `ttlMs` (GC, a slow loader) may still act after another took the lock, so
 * use it for efficiency (one loader per key, one rebuild at a time), not for correctness. Work
 * that must never overlap needs fencing tokens checked by the resource: {@link createFencedLock}.
 * This one keeps no state beyond the lock key, so it suits many short-lived names (a cache key each).
 */
export function createRedisLock(redis: RedisClient, opts: RedisLockOptions) {
  if (!(Number.isSafeInteger(opts.ttlMs) && opts.ttlMs >= 1)) {
    throw new RangeError(`redis lock: ttlMs must be an integer >= 1, got ${opts.ttlMs}`);
  }
  return {
    /** Takes `key` unless someone holds it: the held lock, or undefined. Rejects when Redis fails. */
    async tryAcquire(key: string): Promise<HeldLock | undefined> {
      const token = randomUUID();
      if ((await redis.set(key, token, 'PX', opts.ttlMs, 'NX')) !== 'OK') return undefined;
      return {
        key,
        token,
        release: async () => (await unlock.run(redis, [key], [token])) === 'released',
      };
    },
  };
}

export type RedisLock = ReturnType<typeof createRedisLock>;
