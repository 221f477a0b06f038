import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createClusterLock } from './cluster-lock.ts';
import { testRedisUrl, uniquePrefix } from './testing/test-redis.ts';

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
  const lockOf = (ttlMs: number) => createClusterLock(redis, { keyPrefix, ttlMs, breakMs: 1_000 });

  it('lets one holder in at a time; release frees it', async () => {
    const lock = lockOf(5_000);
    const first = await lock.acquire('a');
    assert.equal(typeof first, 'object');
    assert.equal(await lock.acquire('a'), 'busy');
    assert.equal(await (first as { release(): Promise<boolean> }).release(), true);
    const again = await lock.acquire('a');
    assert.equal(typeof again, 'object');
    await (again as { release(): Promise<boolean> }).release();
  });

  it("fencing: a slow holder's late release does not delete the newer holder's lock", async () => {
    const lock = lockOf(100);
    const slow = await lock.acquire('b');
    assert.ok(typeof slow === 'object');
    await sleep(150); // the slow holder's lock expired
    const newer = await lock.acquire('b');
    assert.ok(typeof newer === 'object');
    assert.equal(await slow.release(), false, 'the late release is refused');
    assert.equal(await redis.get(lock.lockKey('b')), newer.token, 'the newer lock is intact');
    assert.equal(await newer.release(), true);
  });

  it('a lock whose holder crashed expires after ttlMs', async () => {
    const lock = lockOf(100);
    await redis.set(lock.lockKey('c'), 'crashed-holder', 'PX', 100);
    assert.equal(await lock.acquire('c'), 'busy');
    await sleep(150);
    const taken = await lock.acquire('c');
    assert.ok(typeof taken === 'object');
    await taken.release();
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
});
