import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { testCaches } from './testing/test-redis.ts';

const KEYS = 10_000;
const TTL_MS = 60_000;
const JITTER = 0.1;

describe('avalanche: keys written together do not expire together', () => {
  const t = testCaches('avalanche');
  after(() => t.cleanup());

  it(`${KEYS} keys written at once expire spread over ttl·(1 ± ${JITTER})`, async () => {
    const graceMs = 3_600_000;
    const cache = await t.open({
      maxConcurrentLoads: 64,
      // This test is about TTL spread, not a slow Redis: on a loaded CI machine the default 500 ms
      // command budget dropped a few of the 10,000 L2 writes (errors L2 suppresses by design),
      // which left keys without a TTL to measure.
      commandTimeoutMs: 10_000,
      defaults: { ttlMs: TTL_MS, jitterRatio: JITTER, graceMs },
    });
    const keys = Array.from({ length: KEYS }, (_, i) => `p${i}`);
    const written = Date.now();
    const result = await cache
      .namespace('product')
      .warmUp(keys, (key) => Promise.resolve({ id: key }), { concurrency: 64 });
    assert.deepEqual(result, { warmed: KEYS, failed: [] });

    const pipeline = t.probe.pipeline();
    for (const key of keys) pipeline.pttl(t.l2Key('product', key));
    const elapsed = Date.now() - written;
    const replies = (await pipeline.exec()) ?? [];
    // L2 keeps an entry for its TTL plus grace; grace is the same for all, so the spread is the jitter's.
    const expiries = replies.map(([err, pttl]) => {
      assert.equal(err, null);
      return (pttl as number) - graceMs;
    });
    const min = Math.min(...expiries);
    const max = Math.max(...expiries);
    const window = 2 * JITTER * TTL_MS;
    assert.ok(min >= TTL_MS * (1 - JITTER) - elapsed - 1_000, `earliest expiry ${min} ms`);
    assert.ok(max <= TTL_MS * (1 + JITTER), `latest expiry ${max} ms`);
    assert.ok(max - min >= 0.8 * window, `expiries span ${max - min} ms of a ${window} ms window`);

    const perSecond = new Map<number, number>();
    for (const ms of expiries)
      perSecond.set(Math.floor(ms / 1000), (perSecond.get(Math.floor(ms / 1000)) ?? 0) + 1);
    const busiest = Math.max(...perSecond.values());
    // Uniform over 12 s is ~8.3 % a second; without jitter it would be 100 %.
    assert.ok(busiest <= 0.15 * KEYS, `busiest second holds ${busiest} of ${KEYS} expiries`);
  });
});
