import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loaderProbe } from './testing/loader-probe.ts';
import { testCaches } from './testing/test-redis.ts';

describe('warm-up', () => {
  const t = testCaches('warm-up');
  after(() => t.cleanup());

  it('loads keys before traffic; traffic then causes no load; failures are reported, not thrown', async () => {
    const [a, b] = [await t.open(), await t.open()];
    const probe = loaderProbe((key) => (key === 'gone' ? undefined : { id: key }));
    const keys = [...Array.from({ length: 50 }, (_, i) => `p${i}`), 'gone', 'broken'];
    const result = await a
      .namespace('product')
      .warmUp(keys, (key, signal) =>
        key === 'broken' ? Promise.reject(new Error('row is corrupt')) : probe.load(key, signal),
      );
    assert.equal(result.warmed, 51);
    assert.deepEqual(
      result.failed.map((f) => f.key),
      ['broken'],
    );
    assert.ok(
      probe.maxActive <= 4,
      `warm-up ran ${probe.maxActive} loads at once (default: half the bulkhead)`,
    );
    const calls = probe.calls;
    for (const cache of [a, b]) {
      for (const key of keys.slice(0, 51)) await cache.namespace('product').getOrLoad(key, probe.for(key));
    }
    assert.equal(probe.calls, calls, 'no load after the warm-up, on either instance');
    await a.namespace('product').warmUp(keys.slice(0, 51), probe.load);
    assert.equal(probe.calls, calls, 'warming warm keys loads nothing');
  });
});
