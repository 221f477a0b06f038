import { errors as bentoErrors } from 'bentocache';
import { runInCall, type CallRecord } from './call-scope.ts';
import { publishCacheEvent } from './diagnostics.ts';
import { CacheRedisError } from './errors.ts';
import { fillFactory, type FillContext, type Loader } from './fill.ts';
import type { HotTier } from './hot-tier.ts';
import { isNegativeEntry } from './negative-entry.ts';
import { resolveEntryOptions, type EntryOptions } from './options.ts';
import { warmUp, type WarmUpOptions, type WarmUpResult } from './warm-up.ts';

/** One namespace of a cache (`product`, `sale-view`, …): keys, TTLs and metrics labels of its own. */
export interface CacheNamespace {
  readonly name: string;
  /**
   * The value of `key`: from this process's memory (L1), else Redis (L2), else `loader` — run at
   * most once per key across the cluster at a time (fill lock). `undefined` when the loader found
   * nothing (cached `negativeTtlMs`). When the load fails or times out and a value expired less
   * than `graceMs` ago, that stale value is served. Rejects with the loader's error,
   * {@link CacheLoadTimeoutError} or {@link CacheBulkheadFullError} when there is nothing to serve.
   */
  getOrLoad<T>(key: string, loader: Loader<T>, options?: Partial<EntryOptions>): Promise<T | undefined>;
  /**
   * The value of `key` when this namespace's hot tier holds it (see {@link HotTier}), else
   * `undefined` — synchronously, and without L1, L2 or the loader. Always `undefined` when the
   * namespace has no hot tier. A hit is the same frozen object `getOrLoad` would answer.
   */
  peek<T>(key: string): T | undefined;
  /**
   * Expires `key` in L2 and in the L1 of every instance (bus), a cached "not found" included: the
   * next read loads it again. The old value is kept for grace only — served if that load fails
   * (the database is down right after a change), never while the load works. Rejects with
   * {@link CacheRedisError} when Redis cannot be reached: retry it.
   */
  invalidate(key: string): Promise<void>;
  /** Loads `keys` that are not cached yet, `concurrency` at a time, before traffic arrives. */
  warmUp<T>(
    keys: Iterable<string>,
    loader: (key: string, signal: AbortSignal) => Promise<T | undefined>,
    options?: WarmUpOptions,
  ): Promise<WarmUpResult>;
}

export function createNamespace(
  fc: FillContext,
  defaults: Readonly<EntryOptions>,
  opts: { lockTtlMs: number; warmUpConcurrency: number; hot?: HotTier },
): CacheNamespace {
  const base = { cache: fc.cache, namespace: fc.namespace };
  const { hot } = opts;

  async function getOrLoad<T>(key: string, loader: Loader<T>, options?: Partial<EntryOptions>) {
    // `defaults` are resolved and frozen already: resolve again only for per-call overrides (hot path).
    const entry = options === undefined ? defaults : resolveEntryOptions(defaults, options, opts.lockTtlMs);
    if (hot !== undefined) {
      const known = hot.get(key);
      if (known !== undefined) {
        publishCacheEvent(() => ({ ...base, key, type: 'hit', tier: 'hot' }));
        return known as T;
      }
    }
    const mark = hot?.mark() ?? 0;
    const call: CallRecord = { ticket: fc.failures.ticket(), filled: false };
    let raw: unknown;
    try {
      raw = await runInCall(call, () =>
        fc.provider.getOrSet<unknown>({
          key,
          factory: fillFactory(fc, key, loader, entry, call),
          ttl: entry.ttlMs,
          grace: entry.graceMs > 0 ? entry.ttlMs + entry.graceMs : false,
          timeout: entry.softTimeoutMs,
        }),
      );
    } catch (err) {
      throw err instanceof bentoErrors.E_FACTORY_ERROR ? err.cause : err;
    }
    let value = raw;
    let loaded = false;
    let fresh = true;
    if (raw === undefined) {
      // The fill path answered this call (bentocache returns undefined after `skip()`).
      if (!call.produced) throw new Error(`cache fill of "${fc.namespace}:${key}" produced nothing`);
      value = call.produced.value;
      loaded = call.produced.source === 'load';
      fresh = call.produced.source !== 'stale';
    } else if (call.filled || call.hit?.graced) {
      fresh = false;
      publishCacheEvent(() => ({ ...base, key, type: 'stale', reason: 'soft-timeout' }));
    } else if (call.hit) {
      const tier = call.hit.layer;
      publishCacheEvent(() => ({ ...base, key, type: 'hit', tier }));
    }
    if (!isNegativeEntry(value)) {
      if (fresh && value !== undefined) hot?.set(key, value, mark);
      return value as T;
    }
    if (!loaded) publishCacheEvent(() => ({ ...base, key, type: 'negative-hit' }));
    return undefined;
  }

  const ns: CacheNamespace = {
    name: fc.namespace,
    getOrLoad,
    peek<T>(key: string): T | undefined {
      const known = hot?.get(key);
      if (known === undefined) return undefined;
      publishCacheEvent(() => ({ ...base, key, type: 'hit', tier: 'hot' }));
      return known as T;
    },
    async invalidate(key) {
      hot?.delete(key);
      fc.failures.clear(key);
      try {
        await fc.provider.expire({ key, suppressL2Errors: false });
      } catch (err) {
        throw new CacheRedisError(`cache invalidation of "${fc.namespace}:${key}" failed`, { cause: err });
      } finally {
        // A read that began during the expire may have put the old value back.
        hot?.delete(key);
      }
      publishCacheEvent(() => ({ ...base, key, type: 'invalidate' }));
    },
    warmUp: (keys, loader, options) =>
      warmUp(keys, (key, entry) => getOrLoad(key, (signal) => loader(key, signal), entry), {
        concurrency: opts.warmUpConcurrency,
        ...options,
      }),
  };
  return ns;
}
