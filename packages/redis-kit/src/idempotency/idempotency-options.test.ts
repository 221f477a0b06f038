import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idempotencyStoreOptions } from './idempotency-options.ts';

describe('idempotencyStoreOptions', () => {
  it('defaults: 24 h records, a 15 s lease, 64 KiB responses', () => {
    assert.deepEqual(idempotencyStoreOptions(), {
      keyPrefix: 'idempotency:',
      ttlMs: 86_400_000,
      leaseMs: 15_000,
      maxResponseBytes: 65_536,
      maxFirstAttemptBytes: 1_024,
    });
    assert.ok(Object.isFrozen(idempotencyStoreOptions({ keyPrefix: 'x:' })));
  });

  it('refuses bounds that are not positive integers, and a TTL shorter than the lease', () => {
    for (const bad of [
      { ttlMs: 0 },
      { leaseMs: 1.5 },
      { maxResponseBytes: -1 },
      { maxFirstAttemptBytes: Number.NaN },
    ])
      assert.throws(() => idempotencyStoreOptions(bad), RangeError, JSON.stringify(bad));
    assert.throws(
      () => idempotencyStoreOptions({ ttlMs: 1_000, leaseMs: 2_000 }),
      /ttlMs \(1000\) must be >= leaseMs/,
    );
  });
});
