import { createRedisLock, type HeldLock } from '@surge/redis-kit';
import type { Redis } from 'ioredis';

export type { HeldLock };

/**
 * `busy`: another holder has it. `unavailable`: Redis failed (or failed within the last
 * `breakMs`), so callers go on without the lock rather than wait on a dead Redis.
 */
export type AcquireResult = HeldLock | 'busy' | 'unavailable';

export interface ClusterLockOptions {
  /** Lock key = `keyPrefix` + key. */
  keyPrefix: string;
  /** How long a lock lives if its holder never releases it (crash), ms. */
  ttlMs: number;
  /** After a Redis error, report `unavailable` without trying for this long, ms. */
  breakMs: number;
  onError?: (err: unknown) => void;
  now?: () => number;
}

/**
 * The cluster half of stampede protection (ADR 0005): at most one instance runs the loader of a key
 * at a time, on redis-kit's lock (SET NX PX, compare-and-delete release). What the cache adds:
 * a Redis failure is an answer (`unavailable`: load without the lock) and opens a break of
 * `breakMs` during which nobody waits on a dead Redis; a failed release is only reported (the
 * lock expires by itself). See ADR 0005.
 */
export function createClusterLock(redis: Redis, opts: ClusterLockOptions) {
  const now = opts.now ?? Date.now;
  const leases = createRedisLock(redis, { ttlMs: opts.ttlMs });
  let brokenUntil = 0;
  const fail = (err: unknown) => {
    brokenUntil = now() + opts.breakMs;
    opts.onError?.(err);
  };

  return {
    lockKey: (key: string) => opts.keyPrefix + key,
    async acquire(key: string): Promise<AcquireResult> {
      if (now() < brokenUntil) return 'unavailable';
      let held: HeldLock | undefined;
      try {
        held = await leases.tryAcquire(opts.keyPrefix + key);
      } catch (err) {
        fail(err);
        return 'unavailable';
      }
      if (!held) return 'busy';
      const lock = held;
      return {
        key: lock.key,
        token: lock.token,
        async release() {
          try {
            return await lock.release();
          } catch (err) {
            fail(err);
            return false;
          }
        },
      };
    },
  };
}

export type ClusterLock = ReturnType<typeof createClusterLock>;
