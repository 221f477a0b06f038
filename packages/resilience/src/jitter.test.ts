import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jitter } from './jitter.ts';

describe('jitter', () => {
  it('maps random 0 → ms·(1−ratio), 0.5 → ms, →1 → ms·(1+ratio)', () => {
    assert.deepEqual(
      [0, 0.5, 0.999_999].map((r) => jitter(10_000, 0.1, () => r)),
      [9_000, 10_000, 11_000],
    );
  });

  it('returns ms unchanged when the ratio is 0, never less than 1 ms', () => {
    assert.equal(
      jitter(1234, 0, () => 0),
      1234,
    );
    assert.equal(
      jitter(1, 0.9, () => 0),
      1,
    );
  });

  it('rejects a ratio outside [0, 1)', () => {
    for (const ratio of [-0.1, 1, Number.NaN]) assert.throws(() => jitter(100, ratio), RangeError);
  });

  it('spreads evenly: each tenth of the window gets about a tenth of 10,000 draws', () => {
    let seed = 42;
    const lcg = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const ms = jitter(100_000, 0.1, lcg);
      const bucket = Math.min(9, Math.floor((ms - 90_000) / 2_000));
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    for (const n of buckets) assert.ok(n > 800 && n < 1200, `bucket sizes ${buckets.join(',')}`);
  });
});
