import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

const UNLOCK_LUA = readFileSync(new URL('./unlock-1.lua', import.meta.url), 'utf8');
const UNLOCK = 'surgeCacheUnlock';

type WithUnlock = Redis & { [UNLOCK](key: string, token: string): Promise<number> };

/** A fill lock this process holds; `release()` resolves false when it had already lost it. */
export interface HeldLock {
  readonly token: string;
  release(): Promise<boolean>;
}

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
 * The cluster half of stampede protection (SPEC §8): at most one instance runs the loader of a key
 * at a time. `SET key token NX PX ttlMs` takes it; `unlock-1.lua` releases it by compare-and-delete
 * on the owner token. A crashed holder's lock expires after `ttlMs`. See ADR 0005.
 */
export function createClusterLock(redis: Redis, opts: ClusterLockOptions) {
  const now = opts.now ?? Date.now;
  if (!(UNLOCK in redis)) redis.defineCommand(UNLOCK, { numberOfKeys: 1, lua: UNLOCK_LUA });
  const client = redis as WithUnlock;
  let brokenUntil = 0;
  const fail = (err: unknown) => {
    brokenUntil = now() + opts.breakMs;
    opts.onError?.(err);
  };

  return {
    lockKey: (key: string) => opts.keyPrefix + key,
    async acquire(key: string): Promise<AcquireResult> {
      if (now() < brokenUntil) return 'unavailable';
      const lockKey = opts.keyPrefix + key;
      const token = randomUUID();
      try {
        const ok = await client.set(lockKey, token, 'PX', opts.ttlMs, 'NX');
        if (ok !== 'OK') return 'busy';
      } catch (err) {
        fail(err);
        return 'unavailable';
      }
      return {
        token,
        async release() {
          try {
            return (await client[UNLOCK](lockKey, token)) === 1;
          } catch (err) {
            // The lock expires by itself after ttlMs; nothing else to do.
            fail(err);
            return false;
          }
        },
      };
    },
  };
}

export type ClusterLock = ReturnType<typeof createClusterLock>;
