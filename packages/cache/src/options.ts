import { silentLog, type Log } from '@surge/resilience';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';

/** How entries are kept. Every field can be set per cache, per namespace and per call. */
export interface EntryOptions {
  /** How long a value is fresh, ms, before jitter. Default 600 000 (10 min). */
  ttlMs: number;
  /** TTL spread: each write lives `ttl · (1 ± jitterRatio)`, uniformly (avalanche). Default 0.1. */
  jitterRatio: number;
  /** How long a "not found" (loader resolved `undefined`) is cached, ms, jittered too. Default 30 000. */
  negativeTtlMs: number;
  /** How long after it expires a value may still be served when a refresh fails, ms. 0 = never. Default 21 600 000 (6 h). */
  graceMs: number;
  /** After a failed load of a key that has a stale value, serve stale this long before trying again, ms. Default 5 000. */
  graceBackoffMs: number;
  /** When a stale value exists and the load is slower than this, answer stale and let the load finish in the background, ms (bentocache's soft timeout; ≥ 1). Default 250. */
  softTimeoutMs: number;
  /** Abort the loader's signal and fail (or serve stale) after this long, ms, queueing in the bulkhead included; must be below `lockTtlMs`. Default 3 000. */
  loadTimeoutMs: number;
}

/** Options of `createCache`. Only `redis` is required. */
export interface CacheOptions {
  /**
   * Where L2, the bus and the fill locks live. The cache never uses this connection itself: it
   * opens two of its own with the same address and credentials (`options` of this one), bounded
   * as a cache needs — see README "Redis connections" — and closes them in `close()`.
   */
  redis: Redis;
  /** Prefix of every Redis key and name of the bus channel. Default `surge:cache`. */
  prefix?: string;
  /** Entries kept in this process's memory (L1, one LRU for all namespaces). Default 10 000. */
  l1MaxItems?: number;
  /** Entry defaults for every namespace; see {@link EntryOptions} for each default. */
  defaults?: Partial<EntryOptions>;
  /** A crashed fill-lock holder blocks other instances at most this long, ms. Default 5 000. */
  lockTtlMs?: number;
  /** How long an instance waits for another one's fill before serving stale or loading itself, ms. Default 2 000. */
  lockWaitMs?: number;
  /** How often a waiting instance looks for the value, ms (jittered ±50 %). Default 25. */
  lockPollMs?: number;
  /** Loader calls running at once in this process. Default 8. */
  maxConcurrentLoads?: number;
  /** Loader calls waiting for a slot; beyond that a load is refused at once. Default 16. */
  maxQueuedLoads?: number;
  /** Bound of every Redis command of the cache, ms. Default 500. */
  commandTimeoutMs?: number;
  /** After a Redis error, skip L2 and the fill lock for this long, ms (bentocache's L2 circuit breaker). Default 1 000. */
  l2CircuitBreakerMs?: number;
  /** Failed bus publishes kept for retry after Redis returns (oldest dropped). Default 1 000. */
  busRetryQueueMax?: number;
  /** Counts this cache's events into the registry ({@link cacheMetrics}). */
  metrics?: Registry;
  /** Where Redis trouble is reported (`warn`); a pino logger fits. Default `silentLog`. */
  log?: Log;
}

export const DEFAULT_ENTRY_OPTIONS: Readonly<EntryOptions> = Object.freeze({
  ttlMs: 600_000,
  jitterRatio: 0.1,
  negativeTtlMs: 30_000,
  graceMs: 6 * 3_600_000,
  graceBackoffMs: 5_000,
  softTimeoutMs: 250,
  loadTimeoutMs: 3_000,
});

export type ResolvedCacheOptions = Readonly<
  Required<Omit<CacheOptions, 'defaults' | 'metrics'>> &
    Pick<CacheOptions, 'metrics'> & { defaults: Readonly<EntryOptions> }
>;

function positive(name: string, v: number, min = 1): void {
  if (!Number.isFinite(v) || v < min)
    throw new TypeError(`cache option ${name} must be a number ≥ ${min}, got ${v}`);
}

/** Merges `over` into `base` and checks the result; throws TypeError when invalid. */
export function resolveEntryOptions(
  base: Readonly<EntryOptions>,
  over: Partial<EntryOptions> | undefined,
  lockTtlMs: number,
): Readonly<EntryOptions> {
  if (!over) return base;
  const e = { ...base, ...over };
  positive('ttlMs', e.ttlMs);
  positive('negativeTtlMs', e.negativeTtlMs);
  positive('graceMs', e.graceMs, 0);
  positive('graceBackoffMs', e.graceBackoffMs, 0);
  positive('softTimeoutMs', e.softTimeoutMs);
  positive('loadTimeoutMs', e.loadTimeoutMs);
  if (!(e.jitterRatio >= 0 && e.jitterRatio < 1))
    throw new TypeError(`cache option jitterRatio must be in [0, 1)`);
  if (e.loadTimeoutMs >= lockTtlMs) {
    throw new TypeError(
      `cache option loadTimeoutMs (${e.loadTimeoutMs}) must be below lockTtlMs (${lockTtlMs})`,
    );
  }
  return Object.freeze(e);
}

/** Applies the defaults of {@link CacheOptions} and validates; throws TypeError when invalid. */
export function resolveCacheOptions(o: CacheOptions): ResolvedCacheOptions {
  const r = {
    redis: o.redis,
    prefix: (o.prefix ?? 'surge:cache').replace(/:+$/, ''),
    l1MaxItems: o.l1MaxItems ?? 10_000,
    lockTtlMs: o.lockTtlMs ?? 5_000,
    lockWaitMs: o.lockWaitMs ?? 2_000,
    lockPollMs: o.lockPollMs ?? 25,
    maxConcurrentLoads: o.maxConcurrentLoads ?? 8,
    maxQueuedLoads: o.maxQueuedLoads ?? 16,
    commandTimeoutMs: o.commandTimeoutMs ?? 500,
    l2CircuitBreakerMs: o.l2CircuitBreakerMs ?? 1_000,
    busRetryQueueMax: o.busRetryQueueMax ?? 1_000,
    metrics: o.metrics,
    log: o.log ?? silentLog,
  };
  if (!r.prefix) throw new TypeError('cache option prefix must not be empty');
  for (const k of ['l1MaxItems', 'lockTtlMs', 'lockWaitMs', 'lockPollMs', 'maxConcurrentLoads'] as const) {
    positive(k, r[k]);
  }
  for (const k of ['maxQueuedLoads', 'commandTimeoutMs', 'l2CircuitBreakerMs', 'busRetryQueueMax'] as const) {
    positive(k, r[k], 0);
  }
  const defaults = resolveEntryOptions(DEFAULT_ENTRY_OPTIONS, o.defaults ?? {}, r.lockTtlMs);
  return Object.freeze({ ...r, defaults });
}
