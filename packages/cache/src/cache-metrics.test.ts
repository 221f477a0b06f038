import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { cacheMetrics } from './cache-metrics.ts';
import { publishCacheEvent, type CacheEvent } from './diagnostics.ts';

type Payload<E> = E extends unknown ? Omit<E, 'cache' | 'namespace' | 'key'> : never;

async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const hit = metric?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return hit?.value ?? 0;
}

describe('cacheMetrics', () => {
  it('counts each event type under its cache and namespace labels', async () => {
    const registry = new Registry();
    const metrics = cacheMetrics(registry);
    const cache = `metrics-unit-${process.pid}`;
    const emit = (e: Payload<CacheEvent>) =>
      publishCacheEvent(() => ({ cache, namespace: 'product', key: 'k', ...e }));
    emit({ type: 'hit', tier: 'l1' });
    emit({ type: 'hit', tier: 'l1' });
    emit({ type: 'hit', tier: 'l2' });
    emit({ type: 'miss' });
    emit({ type: 'negative-hit' });
    emit({ type: 'stale', reason: 'backoff' });
    emit({ type: 'load', durationMs: 12, found: true });
    emit({ type: 'load-error', durationMs: 3, error: new Error('x') });
    emit({ type: 'lock-wait', waitedMs: 30, outcome: 'value' });
    emit({ type: 'lock-wait', waitedMs: 2000, outcome: 'timeout' });
    emit({ type: 'bulkhead-rejected' });
    emit({ type: 'invalidate' });
    const l = { cache, namespace: 'product' };
    assert.equal(await value(registry, 'surge_cache_hits_total', { ...l, tier: 'l1' }), 2);
    assert.equal(await value(registry, 'surge_cache_hits_total', { ...l, tier: 'l2' }), 1);
    assert.equal(await value(registry, 'surge_cache_misses_total', l), 1);
    assert.equal(await value(registry, 'surge_cache_negative_hits_total', l), 1);
    assert.equal(await value(registry, 'surge_cache_stale_serves_total', { ...l, reason: 'backoff' }), 1);
    assert.equal(await value(registry, 'surge_cache_loads_total', l), 2);
    assert.equal(await value(registry, 'surge_cache_load_errors_total', l), 1);
    assert.equal(await value(registry, 'surge_cache_lock_waits_total', { ...l, outcome: 'value' }), 1);
    assert.equal(await value(registry, 'surge_cache_lock_wait_timeouts_total', l), 1);
    assert.equal(await value(registry, 'surge_cache_bulkhead_rejections_total', l), 1);
    assert.equal(await value(registry, 'surge_cache_invalidations_total', l), 1);
    metrics.close();
    emit({ type: 'miss' });
    assert.equal(await value(registry, 'surge_cache_misses_total', l), 1, 'closed: no longer counting');
  });

  it('keeps the hits of each cache, namespace and tier apart, and counts them across scrapes', async () => {
    const registry = new Registry();
    const metrics = cacheMetrics(registry);
    const cache = `metrics-hits-${process.pid}`;
    const hit = (c: string, namespace: string, tier: 'hot' | 'l1' | 'l2') =>
      publishCacheEvent(() => ({ cache: c, namespace, key: 'k', type: 'hit', tier }));
    for (let i = 0; i < 3; i++) hit(cache, 'product', 'hot');
    hit(cache, 'user', 'hot');
    hit(`${cache}-b`, 'product', 'hot');
    hit(cache, 'product', 'l1');
    const hits = (c: string, namespace: string, tier: string) =>
      value(registry, 'surge_cache_hits_total', { cache: c, namespace, tier });
    assert.deepEqual(
      [
        await hits(cache, 'product', 'hot'),
        await hits(cache, 'user', 'hot'),
        await hits(`${cache}-b`, 'product', 'hot'),
        await hits(cache, 'product', 'l1'),
      ],
      [3, 1, 1, 1],
    );
    hit(cache, 'product', 'hot');
    assert.equal(await hits(cache, 'product', 'hot'), 4, 'a hit after a scrape is added, not lost');
    metrics.close();
  });

  it('is idempotent per registry (no duplicate-metric error)', () => {
    const registry = new Registry();
    const a = cacheMetrics(registry);
    assert.equal(cacheMetrics(registry), a);
    a.close();
  });
});
