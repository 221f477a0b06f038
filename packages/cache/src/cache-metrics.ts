import diagnostics_channel from 'node:diagnostics_channel';
import { Counter, Histogram, type Registry } from 'prom-client';
import { CACHE_CHANNEL, type CacheEvent } from './diagnostics.ts';

/** Subscription of {@link cacheMetrics}; `close()` stops counting. */
export interface CacheMetrics {
  close(): void;
}

const byRegistry = new WeakMap<Registry, CacheMetrics>();

/**
 * Counts the events of every cache in this process (channel `surge:cache`) into `registry`:
 * `<prefix>cache_hits_total{tier}`, `_misses_total`, `_negative_hits_total` (a subset of hits),
 * `_stale_serves_total{reason}`, `_loads_total` (loader calls), `_load_errors_total`,
 * `_load_duration_seconds`, `_lock_waits_total{outcome}`, `_lock_wait_timeouts_total`,
 * `_bulkhead_rejections_total` and `_invalidations_total`, each labelled `cache` (the cache's
 * prefix) and `namespace`. Idempotent per registry.
 *
 * @param opts.prefix metric name prefix, default `surge_`
 */
export function cacheMetrics(registry: Registry, opts: { prefix?: string } = {}): CacheMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const p = `${opts.prefix ?? 'surge_'}cache_`;
  const counter = (name: string, help: string, extra: string[] = [], collect?: () => void) =>
    new Counter({
      name: p + name,
      help,
      labelNames: ['cache', 'namespace', ...extra],
      registers: [registry],
      ...(collect ? { collect } : {}),
    });
  // Hits are the hot path (every cached read): counted in plain numbers per cache, namespace and
  // tier, handed to prom-client when it collects — a prom-client child hashes its labels on
  // every `inc()`. Bounded by namespaces × 3 tiers.
  // cache → namespace → tier: three lookups of strings that are the same objects every time (no
  // key string built per hit).
  type HitCount = { labels: Record<string, string>; pending: number };
  const hitCounts = new Map<string, Map<string, Map<string, HitCount>>>();
  const allHitCounts: HitCount[] = [];
  const hits = counter(
    'hits_total',
    'Fresh values served, by tier (hot, l1 memory, l2 Redis)',
    ['tier'],
    () => {
      for (const h of allHitCounts) {
        if (h.pending === 0) continue;
        hits.inc(h.labels, h.pending);
        h.pending = 0;
      }
    },
  );
  const misses = counter('misses_total', 'Reads with no fresh value in the process (fill path ran)');
  const negativeHits = counter('negative_hits_total', 'Cached "not found" answers served');
  const stale = counter('stale_serves_total', 'Stale values served within grace, by reason', ['reason']);
  const loads = counter('loads_total', 'Loader calls');
  const loadErrors = counter('load_errors_total', 'Loader calls that threw or timed out');
  const lockWaits = counter('lock_waits_total', 'Waits for another instance to fill a key', ['outcome']);
  const lockWaitTimeouts = counter('lock_wait_timeouts_total', 'Fill-lock waits that hit lockWaitMs');
  const rejections = counter('bulkhead_rejections_total', 'Loads refused because the bulkhead was full');
  const invalidations = counter('invalidations_total', 'Keys invalidated');
  const loadDuration = new Histogram({
    name: `${p}load_duration_seconds`,
    help: 'Loader call duration',
    labelNames: ['cache', 'namespace'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const onEvent = (message: unknown) => {
    const e = message as CacheEvent;
    if (e.type === 'hit') {
      let byNamespace = hitCounts.get(e.cache);
      if (!byNamespace) hitCounts.set(e.cache, (byNamespace = new Map<string, Map<string, HitCount>>()));
      let byTier = byNamespace.get(e.namespace);
      if (!byTier) byNamespace.set(e.namespace, (byTier = new Map<string, HitCount>()));
      let h = byTier.get(e.tier);
      if (!h) {
        const labels = { cache: e.cache, namespace: e.namespace, tier: e.tier };
        hits.inc(labels, 0);
        byTier.set(e.tier, (h = { labels, pending: 0 }));
        allHitCounts.push(h);
      }
      h.pending++;
      return;
    }
    const l = { cache: e.cache, namespace: e.namespace };
    switch (e.type) {
      case 'miss':
        return misses.inc(l);
      case 'negative-hit':
        return negativeHits.inc(l);
      case 'stale':
        return stale.inc({ ...l, reason: e.reason });
      case 'load':
        loads.inc(l);
        return loadDuration.observe(l, e.durationMs / 1000);
      case 'load-error':
        loads.inc(l);
        loadErrors.inc(l);
        return loadDuration.observe(l, e.durationMs / 1000);
      case 'lock-wait':
        lockWaits.inc({ ...l, outcome: e.outcome });
        if (e.outcome === 'timeout') lockWaitTimeouts.inc(l);
        return;
      case 'bulkhead-rejected':
        return rejections.inc(l);
      case 'invalidate':
        return invalidations.inc(l);
    }
  };
  diagnostics_channel.subscribe(CACHE_CHANNEL, onEvent);
  const metrics: CacheMetrics = {
    close() {
      diagnostics_channel.unsubscribe(CACHE_CHANNEL, onEvent);
      byRegistry.delete(registry);
    },
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
