import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { isCacheBulkheadFullError } from './errors.ts';
import { loaderProbe } from './testing/loader-probe.ts';
import { testCaches } from './testing/test-redis.ts';
import { eventually, throwawayRedis } from '@surge/test-support';

describe('Redis outage: L1 keeps serving, loads go through the bulkhead, the cache heals', () => {
  let redis: Awaited<ReturnType<typeof throwawayRedis>>;
  let t: ReturnType<typeof testCaches>;
  before(async () => {
    redis = await throwawayRedis();
    t = testCaches('outage', redis.url);
  });
  after(async () => {
    await redis.start();
    await t.cleanup();
    await redis.stop();
  });

  it('survives a Redis kill and restart without a restart of its own', async () => {
    const options = { maxConcurrentLoads: 2, maxQueuedLoads: 2, l2CircuitBreakerMs: 200 };
    const [a, b] = [await t.open(options), await t.open(options)];
    const products = a.namespace('product');
    const probe = loaderProbe((key) => `product ${key}`);
    for (const key of ['1', '2', '3']) await products.getOrLoad(key, probe.for(key));
    assert.equal(probe.calls, 3);

    await redis.kill();

    // Cached keys: answered from L1, no Redis call waits.
    const cached = await Promise.all(
      Array.from({ length: 300 }, (_, i) => products.getOrLoad(String((i % 3) + 1), probe.for('x'))),
    );
    assert.deepEqual(new Set(cached), new Set(['product 1', 'product 2', 'product 3']));
    assert.equal(probe.calls, 3, 'no loader call for cached keys');

    // Uncached keys: the loader runs, never more than maxConcurrentLoads at once; the rest fail fast.
    probe.delayMs = 100;
    const cold = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => products.getOrLoad(`cold-${i}`, probe.for(`cold-${i}`))),
    );
    assert.ok(probe.maxActive <= 2, `max concurrent loaders ${probe.maxActive}`);
    const ok = cold.filter((r) => r.status === 'fulfilled').length;
    const refused = cold.filter((r) => r.status === 'rejected' && isCacheBulkheadFullError(r.reason)).length;
    assert.equal(ok + refused, 20, 'every cold read either loaded or was refused by the bulkhead');
    assert.ok(ok >= 2 && refused >= 1, `loaded ${ok}, refused ${refused}`);
    probe.delayMs = 0;

    await redis.start();

    // Heals: new values reach L2 again, and the bus carries invalidations again.
    const check = new Redis(redis.url);
    try {
      let n = 0;
      await eventually(
        'a load to be written to L2 again',
        async () => {
          const key = `after-${n++}`;
          await products.getOrLoad(key, probe.for(key));
          return (await check.exists(t.l2Key('product', key))) === 1 || undefined;
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      await Promise.all([a.ready(), b.ready()]);
      assert.equal(
        await products.getOrLoad('1', () => Promise.resolve('product 1, changed during the outage')),
        'product 1, changed during the outage',
        'L1 was dropped when the bus came back: invalidations sent meanwhile were lost',
      );
      assert.equal(await products.getOrLoad('fresh', () => Promise.resolve('v1')), 'v1');
      await b.namespace('product').invalidate('fresh');
      await eventually(
        "b's invalidation to reach a over the bus",
        async () => (await products.getOrLoad('fresh', () => Promise.resolve('v2'))) === 'v2' || undefined,
        { timeoutMs: 2_000, intervalMs: 100 },
      );
    } finally {
      check.disconnect();
    }
  });
});
