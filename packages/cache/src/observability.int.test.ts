import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { testCaches } from './testing/test-redis.ts';

async function counter(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values =
    metric?.values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)) ?? [];
  return values.reduce((sum, v) => sum + v.value, 0);
}

describe('observability: diagnostics channel → Prometheus counters', () => {
  const t = testCaches('observability');
  after(() => t.cleanup());

  it('counts hits per tier, misses, loads, negative hits, stale serves and lock waits', async () => {
    const registry = new Registry();
    const [a, b] = [await t.open({ metrics: registry }), await t.open({ metrics: registry })];
    const l = { cache: t.prefix, namespace: 'product' };
    const entry = { ttlMs: 100, graceBackoffMs: 10_000 };
    await a.namespace('product').getOrLoad('1', () => Promise.resolve('one'), entry); // miss + load
    await a.namespace('product').getOrLoad('1', () => Promise.resolve('one'), entry); // l1 hit
    await b.namespace('product').getOrLoad('1', () => Promise.resolve('one'), entry); // l2 hit
    await a.namespace('product').getOrLoad('404', () => Promise.resolve(undefined)); // miss + load
    await a.namespace('product').getOrLoad('404', () => Promise.resolve(undefined)); // negative hit (l1)
    await sleep(150);
    const fail = () => Promise.reject(new Error('db down'));
    await a.namespace('product').getOrLoad('1', fail, entry); // miss + load error + stale
    await a.namespace('product').getOrLoad('1', fail, entry); // miss + stale (backoff)
    await t.probe.set(t.lockKey('product', 'locked'), 'other', 'PX', 100);
    await a.namespace('product').getOrLoad('locked', () => Promise.resolve('x')); // miss + lock wait + load

    assert.equal(await counter(registry, 'surge_cache_hits_total', { ...l, tier: 'l1' }), 2);
    assert.equal(await counter(registry, 'surge_cache_hits_total', { ...l, tier: 'l2' }), 1);
    assert.equal(await counter(registry, 'surge_cache_misses_total', l), 5);
    assert.equal(await counter(registry, 'surge_cache_loads_total', l), 4);
    assert.equal(await counter(registry, 'surge_cache_load_errors_total', l), 1);
    assert.equal(await counter(registry, 'surge_cache_negative_hits_total', l), 1);
    assert.equal(
      await counter(registry, 'surge_cache_stale_serves_total', { ...l, reason: 'load-error' }),
      1,
    );
    assert.equal(await counter(registry, 'surge_cache_stale_serves_total', { ...l, reason: 'backoff' }), 1);
    assert.equal(await counter(registry, 'surge_cache_lock_waits_total', { ...l, outcome: 'lock' }), 1);
  });
});
