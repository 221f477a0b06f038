import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bloomParams } from './bloom-params.ts';
import { bloomPositions } from './bloom-positions.ts';

describe('bloomPositions', () => {
  const params = bloomParams(10_000, 0.01);

  it('gives k offsets in [0, m) for any id (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 2 ** 32 }), (id, bits) => {
        const positions = bloomPositions(id, { bits, hashes: 30 });
        assert.equal(positions.length, 30);
        for (const p of positions) assert.ok(Number.isInteger(p) && p >= 0 && p < bits, `${p} / ${bits}`);
      }),
    );
  });

  it('is deterministic, pinned to known values (changing them invalidates stored filters)', () => {
    assert.deepEqual(bloomPositions('product-42', params), bloomPositions('product-42', params));
    assert.deepEqual(bloomPositions('product-42', params), PINNED);
  });

  it('spreads the k offsets of an id: almost all distinct', () => {
    let distinct = 0;
    for (let i = 0; i < 10_000; i++) distinct += new Set(bloomPositions(`id-${i}`, params)).size;
    assert.ok(distinct / (10_000 * params.hashes) > 0.999, String(distinct));
  });

  it('spreads offsets evenly over the bitmap (chi-square over 64 buckets)', () => {
    const buckets = new Array<number>(64).fill(0);
    const ids = 20_000;
    for (let i = 0; i < ids; i++) {
      for (const p of bloomPositions(`id-${i}`, params)) {
        buckets[Math.floor((p * 64) / params.bits)]! += 1;
      }
    }
    const expected = (ids * params.hashes) / 64;
    const chi2 = buckets.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    // 63 degrees of freedom: the 99.9th percentile is ~103.4.
    assert.ok(chi2 < 103.4, `chi2 = ${chi2}`);
  });

  it('never collapses to a single offset when h2 ≡ 0 (mod m): m = 1 still yields k offsets', () => {
    assert.deepEqual(bloomPositions('x', { bits: 1, hashes: 3 }), [0, 0, 0]);
    assert.equal(new Set(bloomPositions('x', { bits: 2, hashes: 2 })).size, 2);
  });
});

const PINNED = [87_525, 93_695, 4_014, 10_184, 16_354, 22_524, 28_694];
