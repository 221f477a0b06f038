import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { testRedisUrl, uniquePrefix } from '@surge/test-support';
import { failFastRedisOptions } from '../connection/fail-fast-options.ts';
import { whenReady } from '../connection/when-ready.ts';
import { rateLimiterContract } from './contract/rate-limiter-contract.ts';
import { rateLimitPolicy, type RateLimiter } from './policy.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { redisGcra } from './redis-gcra.ts';

const redis = new Redis(testRedisUrl(), failFastRedisOptions({ commandTimeoutMs: 5_000 }));
const prefix = `${uniquePrefix('rate-limit')}:`;
await whenReady(redis, 10_000);
after(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
});

/** The limiter on the shared Redis, refusing any decision the in-process fallback made. */
const onRedis = (limiter: RateLimiter): RateLimiter => ({
  async limit(checks, opts) {
    const d = await limiter.limit(checks, opts);
    assert.equal(d.source, 'redis', 'decided by Redis, not the fallback');
    return d;
  },
});

rateLimiterContract('redis (gcra-n.lua, real Redis)', () => ({
  limiter: onRedis(createRateLimiter({ redis, prefix, timeoutMs: 5_000 })),
  advance: (ms) => sleep(ms + 5),
}));

describe('gcra-n.lua (real Redis)', () => {
  const policy = rateLimitPolicy('lua', 2, 60_000);

  it('stores the TAT with an absolute expiry at the time the quota is full again', async () => {
    const key = crypto.randomUUID();
    const d = await redisGcra(redis, prefix, [{ policy, key }]);
    const stored = Number(await redis.get(`${prefix}lua:${key}`));
    const expiresAt = await redis.pexpiretime(`${prefix}lua:${key}`);
    assert.equal(expiresAt, Math.ceil(stored), 'PXAT = the TAT: replaying the write gives the same state');
    const [sec, usec] = await redis.time();
    const redisNow = Number(sec) * 1000 + Number(usec) / 1000;
    assert.ok(stored > redisNow && stored <= redisNow + 30_000, 'one interval past the Redis clock');
    assert.ok(d.results[0]!.resetMs <= 30_000 && d.results[0]!.resetMs > 29_000);
  });

  it('a denied call writes nothing', async () => {
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    const tight = rateLimitPolicy('lua-tight', 1, 60_000);
    await redisGcra(redis, prefix, [{ policy: tight, key: a }]);
    const before = await redis.get(`${prefix}lua-tight:${a}`);
    const denied = await redisGcra(redis, prefix, [
      { policy, key: b },
      { policy: tight, key: a },
    ]);
    assert.equal(denied.allowed, false);
    assert.equal(await redis.get(`${prefix}lua-tight:${a}`), before);
    assert.equal(await redis.exists(`${prefix}lua:${b}`), 0, 'the admitting key was not written either');
  });

  it('running the same call twice charges it twice, never more: state stays a valid TAT', async () => {
    // ioredis may resend a command that was in flight when a connection dropped: the limiter
    // then counts one request twice (errs on the side of limiting) and nothing breaks.
    const key = crypto.randomUUID();
    const once = () => redisGcra(redis, prefix, [{ policy, key }]);
    const [first, second] = await Promise.all([once(), once()]);
    assert.deepEqual([first.results[0]!.remaining, second.results[0]!.remaining].sort(), [0, 1]);
    const third = await once();
    assert.equal(third.allowed, false);
    assert.ok(Number.isFinite(Number(await redis.get(`${prefix}lua:${key}`))));
  });

  it('a corrupted state counts as a fresh key instead of failing every call', async () => {
    const key = crypto.randomUUID();
    await redis.set(`${prefix}lua:${key}`, 'garbage', 'EX', 60);
    const d = await redisGcra(redis, prefix, [{ policy, key }]);
    assert.equal(d.allowed, true);
    assert.equal(d.results[0]!.remaining, 1);
  });
});
