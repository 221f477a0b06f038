import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { recordCacheEvents } from './testing/cache-events.ts';
import { loaderProbe } from './testing/loader-probe.ts';
import { testCaches } from './testing/test-redis.ts';

describe('penetration: a missing id is cached as a negative entry', () => {
  const t = testCaches('penetration');
  after(() => t.cleanup());

  it('1,000 sequential reads of a missing id run the loader once and count 999 negative hits', async () => {
    const cache = await t.open();
    const products = cache.namespace('product');
    const probe = loaderProbe<{ name: string }>(() => undefined);
    const events = recordCacheEvents(t.prefix);
    for (let i = 0; i < 1000; i++) {
      assert.equal(await products.getOrLoad('missing-1', probe.for('missing-1')), undefined);
    }
    events.stop();
    assert.equal(probe.calls, 1);
    assert.equal(events.count('negative-hit'), 999);
    assert.equal(
      events.count('load', (e) => e.type === 'load' && !e.found),
      1,
    );
  });

  it('1,000 concurrent reads of a missing id run the loader once', async () => {
    const cache = await t.open();
    const products = cache.namespace('product');
    const probe = loaderProbe(() => undefined);
    probe.delayMs = 20;
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => products.getOrLoad('missing-2', probe.for('missing-2'))),
    );
    assert.ok(results.every((r) => r === undefined));
    assert.equal(probe.calls, 1);
  });

  it('keeps the negative entry only negativeTtlMs (jittered), without grace, then asks again', async () => {
    const cache = await t.open({ defaults: { negativeTtlMs: 300 } });
    const products = cache.namespace('short-negative');
    const probe = loaderProbe(() => undefined);
    await products.getOrLoad('missing-3', probe.for('missing-3'));
    const pttl = await t.probe.pttl(t.l2Key('short-negative', 'missing-3'));
    assert.ok(pttl > 0 && pttl <= 330, `negative entry PTTL ${pttl} ms`);
    await products.getOrLoad('missing-3', probe.for('missing-3'));
    assert.equal(probe.calls, 1);
    await sleep(400);
    await products.getOrLoad('missing-3', probe.for('missing-3'));
    assert.equal(probe.calls, 2);
  });

  it('a second instance answers from the negative entry in L2 without loading', async () => {
    const a = (await t.open()).namespace('product');
    const b = (await t.open()).namespace('product');
    const probe = loaderProbe(() => undefined);
    await a.getOrLoad('missing-4', probe.for('missing-4'));
    assert.equal(await b.getOrLoad('missing-4', probe.for('missing-4')), undefined);
    assert.equal(probe.calls, 1);
  });
});
