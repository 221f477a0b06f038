import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fencedLockOptions } from './fenced-lock-options.ts';

describe('fencedLockOptions', () => {
  it('defaults: a 30 s lease renewed every 10 s, each call bounded by 2 s', () => {
    const { keyPrefix, ttlMs, renewEveryMs, timeoutMs } = fencedLockOptions();
    assert.deepEqual(
      { keyPrefix, ttlMs, renewEveryMs, timeoutMs },
      {
        keyPrefix: 'lock:',
        ttlMs: 30_000,
        renewEveryMs: 10_000,
        timeoutMs: 2_000,
      },
    );
  });

  it('derives renewal and timeout from a short TTL', () => {
    const { renewEveryMs, timeoutMs } = fencedLockOptions({ ttlMs: 900 });
    assert.deepEqual({ renewEveryMs, timeoutMs }, { renewEveryMs: 300, timeoutMs: 300 });
  });

  it('refuses non-positive bounds and a renewal period not shorter than the TTL', () => {
    for (const bad of [
      { ttlMs: 0 },
      { renewEveryMs: 1.5 },
      { timeoutMs: -1 },
      { ttlMs: 100, renewEveryMs: 100 },
    ])
      assert.throws(() => fencedLockOptions(bad), RangeError, JSON.stringify(bad));
  });
});
