import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { testRedisUrl, uniquePrefix } from '@surge/test-support';
import { createRedisLock } from './redis-lock.ts';

describe('createRedisLock (real Redis)', () => {
  const redis = new Redis(testRedisUrl(), { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const prefix = `${uniquePrefix('redis-lock')}:`;
  before(() => once(redis, 'ready'));
  after(async () => {
    try {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
    } finally {
      redis.disconnect();
    }
  });

  it('lets one holder in at a time; release frees it', async () => {
    const lock = createRedisLock(redis, { ttlMs: 5_000 });
    const first = await lock.tryAcquire(`${prefix}a`);
    assert.ok(first);
    assert.equal(first.key, `${prefix}a`);
    assert.equal(await lock.tryAcquire(`${prefix}a`), undefined);
    assert.equal(await first.release(), true);
    assert.equal(await first.release(), false, 'a second release finds nothing of ours');
    const again = await lock.tryAcquire(`${prefix}a`);
    assert.ok(again);
    await again.release();
  });

  it("a slow holder's late release does not delete the newer holder's lock", async () => {
    const slow = await createRedisLock(redis, { ttlMs: 100 }).tryAcquire(`${prefix}b`);
    assert.ok(slow);
    await sleep(150); // the slow holder's lock expired
    // The newer holder's lease is long: a loaded machine must not expire it before the checks.
    const newer = await createRedisLock(redis, { ttlMs: 30_000 }).tryAcquire(`${prefix}b`);
    assert.ok(newer);
    assert.notEqual(newer.token, slow.token);
    assert.equal(await slow.release(), false, 'the late release is refused');
    assert.equal(await redis.get(`${prefix}b`), newer.token, 'the newer lock is intact');
    assert.equal(await newer.release(), true);
  });

  it('a lock whose holder crashed expires after ttlMs', async () => {
    const lock = createRedisLock(redis, { ttlMs: 100 });
    await redis.set(`${prefix}c`, 'crashed-holder', 'PX', 100);
    assert.equal(await lock.tryAcquire(`${prefix}c`), undefined);
    await sleep(150);
    const taken = await lock.tryAcquire(`${prefix}c`);
    assert.ok(taken);
    assert.ok((await redis.pttl(`${prefix}c`)) <= 100);
    await taken.release();
  });

  it('rejects when Redis is unreachable', async () => {
    const dead = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    await assert.rejects(createRedisLock(dead, { ttlMs: 1000 }).tryAcquire(`${prefix}d`));
    dead.disconnect();
  });

  it('refuses a ttlMs that is not a positive integer', () => {
    for (const ttlMs of [0, -1, 1.5, Number.NaN])
      assert.throws(() => createRedisLock(redis, { ttlMs }), RangeError);
  });
});
