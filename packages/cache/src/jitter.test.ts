import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jitterTtl } from './jitter.ts';

describe('jitterTtl', () => {
  it('maps random 0 → ttl·(1−ratio), 0.5 → ttl, →1 → ttl·(1+ratio)', () => {
    assert.equal(
      jitterTtl(10_000, 0.1, () => 0),
      9_000,
    );
    assert.equal(
      jitterTtl(10_000, 0.1, () => 0.5),
      10_000,
    );
    assert.equal(
      jitterTtl(10_000, 0.1, () => 0.999_999),
      11_000,
    );
  });

  it('returns the ttl unchanged when the ratio is 0', () => {
    assert.equal(
      jitterTtl(1234, 0, () => 0),
      1234,
    );
  });

  it('never goes below 1 ms', () => {
    assert.equal(
      jitterTtl(1, 1, () => 0),
      1,
    );
  });

  it('spreads evenly: each tenth of the window gets about a tenth of 10,000 draws', () => {
    let seed = 42;
    const lcg = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const ttl = jitterTtl(100_000, 0.1, lcg);
      const bucket = Math.min(9, Math.floor((ttl - 90_000) / 2_000));
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    for (const n of buckets) assert.ok(n > 800 && n < 1200, `bucket sizes ${buckets.join(',')}`);
  });
});
