import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { DEFAULT_ENTRY_OPTIONS, resolveCacheOptions, resolveEntryOptions } from './options.ts';

const redis = {} as Redis;

describe('cache options', () => {
  it('applies the documented defaults', () => {
    const o = resolveCacheOptions({ redis });
    assert.equal(o.prefix, 'surge:cache');
    assert.equal(o.lockTtlMs, 5_000);
    assert.equal(o.lockWaitMs, 2_000);
    assert.equal(o.maxConcurrentLoads, 8);
    assert.deepEqual(o.defaults, DEFAULT_ENTRY_OPTIONS);
    assert.ok(Object.isFrozen(o));
  });

  it('strips trailing colons from the prefix', () => {
    assert.equal(resolveCacheOptions({ redis, prefix: 'x:y::' }).prefix, 'x:y');
  });

  it('refuses a load timeout that outlives the fill lock (a slow holder would lose it)', () => {
    assert.throws(
      () => resolveCacheOptions({ redis, lockTtlMs: 1000, defaults: { loadTimeoutMs: 1000 } }),
      TypeError,
    );
    assert.throws(
      () => resolveEntryOptions(DEFAULT_ENTRY_OPTIONS, { loadTimeoutMs: 9_000 }, 5_000),
      TypeError,
    );
  });

  it('refuses nonsense numbers', () => {
    assert.throws(() => resolveCacheOptions({ redis, defaults: { jitterRatio: 1 } }), TypeError);
    assert.throws(() => resolveCacheOptions({ redis, defaults: { ttlMs: 0 } }), TypeError);
    assert.throws(() => resolveCacheOptions({ redis, defaults: { softTimeoutMs: 0 } }), TypeError);
    assert.throws(() => resolveCacheOptions({ redis, maxConcurrentLoads: Number.NaN }), TypeError);
  });

  it('returns the base unchanged when a call overrides nothing (hot path)', () => {
    assert.equal(resolveEntryOptions(DEFAULT_ENTRY_OPTIONS, undefined, 5_000), DEFAULT_ENTRY_OPTIONS);
  });
});
