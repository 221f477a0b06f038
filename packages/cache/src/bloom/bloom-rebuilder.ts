import type { Cluster, Redis } from 'ioredis';
import { createRedisLock } from '@surge/redis-kit';
import { backoffMs, jitter, silentLog, type Log } from '@surge/resilience';
import { isBloomRebuildError } from './bloom-errors.ts';
import type { BloomFilter } from './redis-bloom-filter.ts';

export interface BloomRebuilderOptions {
  filter: BloomFilter;
  /** Client for the lock; normally the filter's own. */
  redis: Redis | Cluster;
  /** Opens a new pass over every id (e.g. a keyset-paginated SELECT); called once per rebuild. */
  source: () => AsyncIterable<string> | Iterable<string>;
  /** Time between two rebuilds, in ms, jittered by ±10 %. The first runs at start. */
  intervalMs: number;
  /**
   * How long a rebuild claim (`<live>:rebuild-lock`, SET NX PX) lasts, in ms: at most one instance
   * starts a rebuild per `lockTtlMs`. It is not released after a rebuild, so instances whose
   * timers fire right after do not rebuild again; a failed rebuild is retried once it expires.
   * Overlapping rebuilds are excluded anyway (`E_BLOOM_REBUILD_BUSY`). Default 0.9 × intervalMs.
   */
  lockTtlMs?: number;
  /** Receives rebuild failures (`error`) and lock failures (`warn`). */
  log?: Log;
}

export interface BloomRebuilder {
  /** Stops the timer, aborts a running rebuild (the live filter stays as it was) and waits for it. */
  stop(): Promise<void>;
}

/** Rebuilds `filter` from `source` in the background, one instance at a time (ADR 0005). */
export function startBloomRebuilder(options: BloomRebuilderOptions): BloomRebuilder {
  const { filter, redis, source, intervalMs, log = silentLog } = options;
  const lockTtlMs = options.lockTtlMs ?? Math.ceil(intervalMs * 0.9);
  if (!(intervalMs >= 1 && lockTtlMs >= 1)) throw new RangeError('bloom rebuilder: intervalMs must be >= 1');
  const lockKey = `${filter.keys.live}:rebuild-lock`;
  const claims = createRedisLock(redis, { ttlMs: lockTtlMs });
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  /** Rounds in a row that could not reach Redis: the next one comes sooner than the interval. */
  let unreachable = 0;

  /** True when the round could not even ask for the lock (Redis unreachable): retry soon. */
  async function rebuildIfClaimed(): Promise<boolean> {
    try {
      // Never released: the claim blocks the rounds of other instances until it expires.
      if (!(await claims.tryAcquire(lockKey))) return false;
    } catch (err) {
      log.warn({ lockKey, err }, 'bloom rebuilder could not take its lock; retrying soon');
      return true;
    }
    try {
      await filter.rebuild(source(), { signal: abort.signal });
    } catch (err) {
      if (abort.signal.aborted || isBloomRebuildError(err, 'E_BLOOM_REBUILD_BUSY')) return false;
      log.error(
        { key: filter.keys.live, err },
        'bloom rebuild failed; the filter keeps its previous contents',
      );
    }
    return false;
  }

  function schedule(delayMs: number) {
    if (abort.signal.aborted) return;
    timer = setTimeout(() => {
      // A worker that starts before Redis answers (or loses it) retries with backoff instead of
      // waiting a whole interval (10 min by default) with a filter that may be empty.
      running = rebuildIfClaimed().then((retrySoon) => {
        unreachable = retrySoon ? unreachable + 1 : 0;
        schedule(
          retrySoon
            ? Math.min(intervalMs, backoffMs(unreachable, { baseMs: 1000, maxMs: 30_000 }))
            : jitter(intervalMs, 0.1),
        );
      });
    }, delayMs);
    timer.unref();
  }
  schedule(0);

  return {
    async stop() {
      abort.abort(new Error('bloom rebuilder stopped'));
      clearTimeout(timer);
      await running;
    },
  };
}
