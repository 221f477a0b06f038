import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClusterLock } from './cluster-lock.ts';
import { testRedisUrl, uniquePrefix } from '@surge/test-support';

// The lock itself (one holder, compare-and-delete release, expiry) is redis-kit's and tested
// there; these are what the cache adds on top.
describe('cluster fill lock', () => {
  const redis = new Redis(testRedisUrl(), { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const keyPrefix = `${uniquePrefix('cluster-lock')}-lock:`;
  before(() => once(redis, 'ready'));
  after(async () => {
    try {
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
    } finally {
      redis.disconnect();
    }
  });

  it('takes <keyPrefix><key>: busy for the others until released', async () => {
    const lock = createClusterLock(redis, { keyPrefix, ttlMs: 5_000, breakMs: 1_000 });
    const first = await lock.acquire('a');
    assert.ok(typeof first === 'object');
    assert.equal(await redis.get(`${keyPrefix}a`), first.token);
    assert.equal(await lock.acquire('a'), 'busy');
    assert.equal(await first.release(), true);
    const again = await lock.acquire('a');
    assert.ok(typeof again === 'object');
    await again.release();
  });

  it('reports unavailable (and stops trying for breakMs) when Redis fails', async () => {
    const dead = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    const errors: unknown[] = [];
    const lock = createClusterLock(dead, {
      keyPrefix,
      ttlMs: 1000,
      breakMs: 60_000,
      onError: (e) => errors.push(e),
    });
    assert.equal(await lock.acquire('d'), 'unavailable');
    assert.equal(await lock.acquire('d'), 'unavailable');
    assert.equal(errors.length, 1, 'the second call did not even try');
    dead.disconnect();
  });

  it('a release that fails is reported and answers false instead of rejecting', async () => {
    const flaky = new Redis(testRedisUrl(), { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    await once(flaky, 'ready');
    const errors: unknown[] = [];
    const lock = createClusterLock(flaky, {
      keyPrefix,
      ttlMs: 1000,
      breakMs: 60_000,
      onError: (e) => errors.push(e),
    });
    const held = await lock.acquire('e');
    assert.ok(typeof held === 'object');
    flaky.disconnect();
    assert.equal(await held.release(), false);
    assert.equal(errors.length, 1);
    assert.equal(await lock.acquire('e'), 'unavailable', 'the failure opened the break');
  });
});
