import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, exponentialBackoff } from './backoff.ts';

/** A seeded generator, so the statistics below are the same on every run. */
function seeded(seed = 42) {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('backoff (cockatiel decorrelated jitter)', () => {
  it('backoffMs(n) is the n-th delay of exponentialBackoff: one formula for both', () => {
    mock.method(Math, 'random', () => 0.5);
    try {
      let step = exponentialBackoff({ baseMs: 100, maxMs: 5000 }).next(undefined);
      for (let n = 1; n <= 10; n++, step = step.next(undefined)) {
        assert.equal(backoffMs(n, { baseMs: 100, maxMs: 5000 }), Math.round(step.duration), `attempt ${n}`);
      }
    } finally {
      mock.restoreAll();
    }
  });

  it('grows exponentially from baseMs: medians of 2,000 draws per attempt roughly double', () => {
    mock.method(Math, 'random', seeded());
    try {
      const medians = [3, 4, 5, 6].map((n) =>
        median(Array.from({ length: 2000 }, () => backoffMs(n, { baseMs: 100, maxMs: 1e9 }))),
      );
      for (let i = 1; i < medians.length; i++) {
        const ratio = medians[i]! / medians[i - 1]!;
        assert.ok(ratio > 1.7 && ratio < 2.3, `medians ${medians.join(', ')}`);
      }
      const first = median(Array.from({ length: 2000 }, () => backoffMs(1, { baseMs: 100 })));
      assert.ok(first > 70 && first < 110, `first median ${first}`);
    } finally {
      mock.restoreAll();
    }
  });

  it('is jittered: 1,000 draws of one attempt take hundreds of distinct values', () => {
    mock.method(Math, 'random', seeded(7));
    try {
      const draws = Array.from({ length: 1000 }, () => backoffMs(4, { baseMs: 100, maxMs: 5000 }));
      assert.ok(new Set(draws).size > 300, String(new Set(draws).size));
    } finally {
      mock.restoreAll();
    }
  });

  it('never exceeds maxMs, reaches it for late attempts, and treats attempt < 1 as the first', () => {
    mock.method(Math, 'random', seeded(3));
    try {
      for (let n = 0; n <= 100; n++) {
        const d = backoffMs(n, { baseMs: 100, maxMs: 2000 });
        assert.ok(d >= 0 && d <= 2000, `attempt ${n}: ${d}`);
      }
      assert.equal(backoffMs(50, { baseMs: 100, maxMs: 2000 }), 2000);
      assert.equal(backoffMs(1e9, { baseMs: 100, maxMs: 2000 }), 2000);
      assert.ok(backoffMs(-3, { baseMs: 100, maxMs: 2000 }) < 140);
    } finally {
      mock.restoreAll();
    }
  });

  it('defaults to baseMs 100 and maxMs 5000', () => {
    assert.equal(backoffMs(40), 5000);
    assert.ok(backoffMs(1) < 140);
  });

  it('rejects baseMs <= 0 and maxMs < baseMs', () => {
    assert.throws(() => backoffMs(1, { baseMs: 0 }), RangeError);
    assert.throws(() => backoffMs(1, { baseMs: 100, maxMs: 50 }), RangeError);
  });
});
