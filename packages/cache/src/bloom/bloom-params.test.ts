import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bloomParams, MAX_BLOOM_HASHES } from './bloom-params.ts';

describe('bloomParams', () => {
  it('matches the textbook figures: n = 10,000, p = 1 % → 95,851 bits (~9.6 bits/item), 7 hashes', () => {
    const p = bloomParams(10_000, 0.01);
    assert.equal(p.bits, 95_851);
    assert.equal(p.hashes, 7);
    assert.equal(p.bytes, 11_982);
    assert.ok(Math.abs(p.expectedFalsePositiveRate - 0.01) < 0.0005, String(p.expectedFalsePositiveRate));
  });

  it('sizes n = 1,000,000, p = 1 % at ~1.2 MB', () => {
    const p = bloomParams(1_000_000, 0.01);
    assert.equal(p.bits, 9_585_059);
    assert.equal(p.hashes, 7);
    assert.equal(p.bytes, 1_198_133);
  });

  it('bounds the hash count to [1, 30]', () => {
    assert.equal(bloomParams(1_000, 0.9).hashes, 1);
    assert.equal(bloomParams(10, 1e-15).hashes, MAX_BLOOM_HASHES);
  });

  it('rejects inputs it cannot size', () => {
    for (const [n, p] of [
      [0, 0.01],
      [1.5, 0.01],
      [100, 0],
      [100, 1],
      [100, Number.NaN],
      [1e9, 1e-12],
    ] as const) {
      assert.throws(() => bloomParams(n, p), RangeError, `${n}, ${p}`);
    }
  });

  it('expected false-positive rate stays near the target (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 10_000_000 }),
        fc.double({ min: 1e-6, max: 0.2, noNaN: true }),
        (n, p) => {
          const params = bloomParams(n, p);
          assert.ok(params.bits >= 1 && params.hashes >= 1 && params.hashes <= MAX_BLOOM_HASHES);
          assert.ok(
            params.expectedFalsePositiveRate <= p * 1.1,
            `${n} ${p} → ${params.expectedFalsePositiveRate}`,
          );
        },
      ),
    );
  });
});
