import { EventEmitter } from 'node:events';
import { whenReady } from '@surge/redis-kit';
import { withTimeout } from '@surge/resilience';
import { BentoCache, bentostore, type BentoStore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { CacheBusMessageType } from 'bentocache/types';
import { createBusTransport } from './bus-transport.ts';
import { cacheMetrics } from './cache-metrics.ts';
import { recordHit } from './call-scope.ts';
import { createClusterLock } from './cluster-lock.ts';
import { openCacheConnections } from './connections.ts';
import type { FillContext } from './fill.ts';
import { createLoadFailures } from './load-failures.ts';
import { createHotTier, type HotTier, type HotTierOptions } from './hot-tier.ts';
import { createLoadPolicy } from './load-policy.ts';
import { createNamespace, type CacheNamespace } from './namespace.ts';
import { resolveCacheOptions, resolveEntryOptions, type CacheOptions, type EntryOptions } from './options.ts';

/** A two-tier cache; see README. */
export interface Cache {
  /**
   * The namespace `name`; `defaults` override the cache's entry defaults for it. `hot` puts a hot
   * tier in front of its L1 (hot-tier.ts; off by default) — set by the first call for `name`.
   */
  namespace(
    name: string,
    defaults?: Partial<EntryOptions>,
    options?: { hot?: HotTierOptions },
  ): CacheNamespace;
  /**
   * Resolves once both Redis connections are up and the bus is subscribed; rejects after
   * `timeoutMs` (default 5 000). Optional: a cache works without Redis (L1 + loader), so a
   * service may start while Redis is down; tests use it to start from a known state.
   */
  ready(timeoutMs?: number): Promise<void>;
  /** Closes the cache's own Redis connections (never the caller's). Idempotent. */
  close(): Promise<void>;
}

/**
 * A cache-aside on bentocache (L1 memory LRU, L2 Redis, bus) with the protections of ADR 0005:
 * jittered TTLs, negative caching, a cluster-wide fill lock, grace with backoff, a loader
 * bulkhead, and events on `node:diagnostics_channel` `surge:cache`. See ADR 0005.
 */
export function createCache(options: CacheOptions): Cache {
  const o = resolveCacheOptions(options);
  const warn = (err: unknown, what: string) => o.log.warn({ err, cache: o.prefix }, `cache: ${what}`);
  const { commands, subscriber } = openCacheConnections(o.redis, {
    commandTimeoutMs: o.commandTimeoutMs,
    onError: (err, connection) => warn(err, `redis ${connection} connection error`),
  });
  const spaces = new Map<string, Pick<FillContext, 'provider' | 'failures' | 'lock'> & { hot?: HotTier }>();
  const transport = createBusTransport(commands, subscriber, {
    onError: (err) => warn(err, 'bus error'),
    // Every invalidation another instance publishes (and our own "clear" after a resubscription)
    // reaches the hot tiers too: bentocache only tells its own L1.
    onMessage: (message) => forgetHot(message),
    // Invalidations published while we were cut off are lost: forget what L1 holds (a "clear"
    // of the root namespace drops every namespace's L1 entries; L2 is untouched).
    onResubscribed: () =>
      transport.deliverLocally({ type: CacheBusMessageType.Clear, keys: [], namespace: o.prefix }),
  });
  // A message names bentocache's namespace `<prefix>:<name>`; the root namespace (a "clear" after
  // a resubscription) or a form we do not know reaches every hot tier.
  const hotTiersOf = (namespace: unknown): HotTier[] => {
    const name =
      typeof namespace === 'string' && namespace.startsWith(`${o.prefix}:`)
        ? namespace.slice(o.prefix.length + 1)
        : undefined;
    const one = name === undefined ? undefined : spaces.get(name);
    if (one) return one.hot ? [one.hot] : [];
    return [...spaces.values()].flatMap((s) => (s.hot ? [s.hot] : []));
  };
  const forgetHot = (message: { type?: unknown; keys?: unknown; namespace?: unknown }) => {
    const tiers = hotTiersOf(message.namespace);
    if (tiers.length === 0) return;
    const keys = Array.isArray(message.keys) ? (message.keys as unknown[]) : [];
    if (message.type === CacheBusMessageType.Clear || keys.length === 0) {
      for (const t of tiers) t.clear();
      return;
    }
    for (const t of tiers) for (const key of keys) if (typeof key === 'string') t.delete(key);
  };
  const emitter = new EventEmitter();
  emitter.on('cache:hit', recordHit);
  const store = bentostore()
    .useL1Layer(memoryDriver({ maxItems: o.l1MaxItems }))
    .useL2Layer(redisDriver({ connection: commands }))
    .useBus({
      options: { retryQueue: { enabled: true, maxSize: o.busRetryQueueMax, retryInterval: 2_000 } },
      factory: () => transport,
    });
  const bento = new BentoCache<Record<string, BentoStore>>({
    default: o.prefix,
    stores: { [o.prefix]: store },
    prefix: o.prefix,
    // Store-level defaults serve only reads inside the fill path: fresh values, and an L1 copy
    // that lives as long as the entry could. getOrLoad passes its own per call.
    ttl: o.defaults.ttlMs + o.defaults.graceMs,
    grace: false,
    l2CircuitBreakerDuration: o.l2CircuitBreakerMs > 0 ? o.l2CircuitBreakerMs : undefined,
    emitter,
  });
  const root = bento.use(); // creates the stack now, so the bus subscribes at once
  const lock = createClusterLock(commands, {
    keyPrefix: `${o.prefix}-lock:`,
    ttlMs: o.lockTtlMs,
    breakMs: o.l2CircuitBreakerMs,
    onError: (err) => warn(err, 'fill lock unavailable, loading without it'),
  });
  const policy = createLoadPolicy({ maxConcurrent: o.maxConcurrentLoads, maxQueued: o.maxQueuedLoads });
  if (o.metrics) cacheMetrics(o.metrics);
  let closing: Promise<void> | undefined;

  return {
    namespace(name, defaults, options) {
      // `a:b` + key `c` and `a` + key `b:c` would share the Redis key `prefix:a:b:c`.
      if (!/^[^:]+$/.test(name)) throw new TypeError(`cache namespace "${name}": non-empty, no ":"`);
      let space = spaces.get(name);
      if (!space) {
        space = {
          provider: root.namespace(name),
          failures: createLoadFailures({ backoffMs: o.defaults.graceBackoffMs }),
          lock: { acquire: (key) => lock.acquire(`${name}:${key}`) },
          ...(options?.hot ? { hot: createHotTier(options.hot) } : {}),
        };
        spaces.set(name, space);
      }
      const fc: FillContext = {
        ...space,
        cache: o.prefix,
        namespace: name,
        policy,
        lockWaitMs: o.lockWaitMs,
        lockPollMs: o.lockPollMs,
      };
      return createNamespace(fc, resolveEntryOptions(o.defaults, defaults, o.lockTtlMs), {
        lockTtlMs: o.lockTtlMs,
        warmUpConcurrency: Math.max(1, Math.floor(o.maxConcurrentLoads / 2)),
        ...(space.hot ? { hot: space.hot } : {}),
      });
    },
    async ready(timeoutMs = 5_000) {
      await withTimeout(
        (signal) =>
          Promise.all([
            whenReady(commands, timeoutMs, { signal }),
            whenReady(subscriber, timeoutMs, { signal }).then(() => transport.subscribed()),
          ]),
        timeoutMs,
        { what: 'cache ready' },
      );
    },
    close() {
      closing ??= bento.disconnect();
      return closing;
    },
  };
}
