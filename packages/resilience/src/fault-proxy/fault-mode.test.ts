import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { acceptsConnections, checkFaultMode, chunkDelayMs } from './fault-mode.ts';

describe('fault modes', () => {
  it('latency is ms ± jitterMs, uniform: random 0 → ms − jitter, 0.5 → ms, →1 → ms + jitter', () => {
    const mode = checkFaultMode({ kind: 'latency', ms: 100, jitterMs: 20 });
    assert.deepEqual(
      [0, 0.5, 0.999_999].map((r) => Math.round(chunkDelayMs(mode, () => r))),
      [80, 100, 120],
    );
    assert.equal(
      chunkDelayMs(checkFaultMode({ kind: 'latency', ms: 50 }), () => 0.9),
      50,
    );
  });

  it('every other mode delays nothing', () => {
    for (const kind of ['pass', 'cut', 'refuse', 'blackHole', 'reset'] as const) {
      assert.equal(chunkDelayMs({ kind }), 0, kind);
    }
  });

  it('only cut and refuse close the listener', () => {
    const closing = (['pass', 'cut', 'refuse', 'blackHole', 'reset'] as const).filter(
      (kind) => !acceptsConnections({ kind }),
    );
    assert.deepEqual(closing, ['cut', 'refuse']);
    assert.equal(acceptsConnections({ kind: 'latency', ms: 1 }), true);
  });

  it('rejects a negative or infinite latency, jitter outside [0, ms], and unknown kinds', () => {
    for (const bad of [
      { kind: 'latency', ms: -1 },
      { kind: 'latency', ms: Number.POSITIVE_INFINITY },
      { kind: 'latency', ms: Number.NaN },
      { kind: 'latency', ms: 10, jitterMs: 11 },
      { kind: 'latency', ms: 10, jitterMs: -1 },
      { kind: 'flood' },
    ]) {
      assert.throws(() => checkFaultMode(bad as never), RangeError, JSON.stringify(bad));
    }
  });

  it('returns a frozen copy', () => {
    const input = { kind: 'latency' as const, ms: 5 };
    const mode = checkFaultMode(input);
    assert.ok(Object.isFrozen(mode));
    assert.notEqual(mode, input);
  });
});
