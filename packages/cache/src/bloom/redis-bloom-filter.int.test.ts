import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { recordingLog } from '@surge/test-support';
import { createBloomFilter } from './redis-bloom-filter.ts';
import { countMaybe, dropFilterKeys, ids, testRedis, uniqueFilterName } from './testing/bloom-test-redis.ts';

describe('createBloomFilter on Redis', () => {
  let redis: Redis;
  const names: string[] = [];
  const { log, lines: logged } = recordingLog();
  const filter = (expectedItems = 10_000, falsePositiveRate = 0.01) => {
    const key = uniqueFilterName();
    names.push(key);
    // A generous timeout: a timed-out check answers true and would inflate the measured rate.
    return createBloomFilter({ redis, key, expectedItems, falsePositiveRate, checkTimeoutMs: 10_000, log });
  };

  before(() => void (redis = testRedis()));
  after(async () => {
    for (const name of names) await dropFilterKeys(redis, name);
    await redis.quit();
  });

  it('finds every added id: no false negatives over 10,000 ids', async () => {
    const f = filter();
    await f.rebuild([]);
    const added = ids('added', 10_000);
    await f.add(added.slice(0, 1));
    await f.add(added[1]!);
    await f.add(added.slice(2));
    assert.equal(await countMaybe(f.mightContain, added), added.length);
    assert.deepEqual(logged, []);
  });

  it('measures a false-positive rate below 2p at n = 10,000, p = 1 %', async (t) => {
    const f = filter(10_000, 0.01);
    assert.deepEqual((await f.rebuild(ids('member', 10_000))).items, 10_000);
    const probes = ids('never-added', 100_000);
    const rate = (await countMaybe(f.mightContain, probes)) / probes.length;
    const { bits, hashes, expectedFalsePositiveRate } = f.params;
    t.diagnostic(
      `false-positive rate measured ${(rate * 100).toFixed(3)} % over 100,000 probes; configured 1 %, ` +
        `expected ${(expectedFalsePositiveRate * 100).toFixed(3)} % (m = ${bits} bits, k = ${hashes})`,
    );
    assert.ok(rate < 0.02, `measured ${rate}`);
    assert.ok(rate > 0.005, `measured ${rate}: suspiciously low for p = 1 %`);
    assert.deepEqual(logged, []);
  });

  it('uses ceil(m / 8) bytes of bitmap (reports Redis MEMORY USAGE)', async (t) => {
    for (const n of [10_000, 1_000_000]) {
      const f = filter(n, 0.01);
      await f.rebuild([]);
      assert.equal(await redis.strlen(f.keys.live), f.params.bytes);
      const usage = await redis.memory('USAGE', f.keys.live);
      t.diagnostic(`n = ${n}, p = 1 %: bitmap ${f.params.bytes} bytes, Redis MEMORY USAGE ${usage} bytes`);
    }
  });

  it('keeps the live bitmap without TTL and leaves no rebuild keys behind', async () => {
    const f = filter();
    await f.rebuild(ids('x', 10));
    assert.equal(await redis.pttl(f.keys.live), -1);
    assert.equal(await redis.exists(f.keys.pointer), 0);
    assert.deepEqual(await redis.keys(`${f.keys.pointer}*`), []);
  });

  it('puts the sizes in the key, so a resized filter starts unbuilt instead of misreading', () => {
    const a = filter(10_000, 0.01);
    const b = createBloomFilter({
      redis,
      key: names.at(-1)!,
      expectedItems: 20_000,
      falsePositiveRate: 0.01,
    });
    assert.match(a.keys.live, /^surge:\{bloom:test-[\w-]+\}:m95851:k7$/);
    assert.notEqual(a.keys.live, b.keys.live);
  });

  it('validates its options', () => {
    const base = { redis, expectedItems: 10, falsePositiveRate: 0.01 };
    assert.throws(() => createBloomFilter({ ...base, key: 'a}b' }), TypeError);
    assert.throws(() => createBloomFilter({ ...base, key: 'ok', batchSize: 0 }), RangeError);
    assert.throws(() => createBloomFilter({ ...base, key: 'ok', expectedItems: 0 }), RangeError);
  });
});
