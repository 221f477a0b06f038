import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rateLimiterContract } from './contract/rate-limiter-contract.ts';
import { createMemoryRateLimiter } from './memory-rate-limiter.ts';
import { rateLimitPolicy } from './policy.ts';

const fakeClock = () => {
  let t = 1_750_000_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};

rateLimiterContract('memory (fake clock)', () => {
  const clock = fakeClock();
  return {
    limiter: createMemoryRateLimiter({ now: clock.now }),
    advance: (ms) => Promise.resolve(clock.advance(ms)),
  };
});

describe('createMemoryRateLimiter', () => {
  const policy = rateLimitPolicy('m', 10, 60_000);

  it("enforces this instance's share of each quota, never less than one request", async () => {
    const clock = fakeClock();
    const quarter = createMemoryRateLimiter({ share: 0.25, now: clock.now });
    let admitted = 0;
    for (let i = 0; i < 10; i++) if ((await quarter.limit([{ policy, key: 'k' }])).allowed) admitted++;
    assert.equal(admitted, 3, 'ceil(10 × 0.25)');
    const d = await quarter.limit([{ policy, key: 'k' }]);
    assert.equal(d.results[0]!.limit, 3);
    assert.equal(d.source, 'memory');
    // The share keeps the window: 3 per 60 s, one back every 20 s.
    assert.equal(d.retryAfterMs, 20_000);
    clock.advance(20_000);
    assert.equal((await quarter.limit([{ policy, key: 'k' }])).allowed, true);

    const tiny = createMemoryRateLimiter({ share: 0.01, now: clock.now });
    const one = rateLimitPolicy('one', 5, 1000);
    assert.equal((await tiny.limit([{ policy: one, key: 'k' }])).allowed, true);
    assert.equal((await tiny.limit([{ policy: one, key: 'k' }])).allowed, false);
  });

  it('holds at most maxKeys keys; the least recently used is forgotten first', async () => {
    const clock = fakeClock();
    const limiter = createMemoryRateLimiter({ maxKeys: 3, now: clock.now });
    const strict = rateLimitPolicy('strict', 1, 60_000);
    for (const k of ['a', 'b', 'c']) await limiter.limit([{ policy: strict, key: k }]);
    assert.equal((await limiter.limit([{ policy: strict, key: 'a' }])).allowed, false, 'a is used again');
    for (let i = 0; i < 1000; i++) await limiter.limit([{ policy: strict, key: `flood-${i}` }]);
    assert.equal(limiter.size, 3);
    assert.equal((await limiter.limit([{ policy: strict, key: 'b' }])).allowed, true, 'b was forgotten');
  });

  it('refuses a share outside (0, 1] and a maxKeys below 1', () => {
    for (const share of [0, -0.5, 1.5, Number.NaN])
      assert.throws(() => createMemoryRateLimiter({ share }), RangeError);
    for (const maxKeys of [0, 1.5]) assert.throws(() => createMemoryRateLimiter({ maxKeys }), RangeError);
  });
});

describe('rateLimitPolicy', () => {
  it('refuses names that cannot go into keys and headers, and limits or windows out of range', () => {
    for (const name of ['', 'with space', 'quote"d', 'x'.repeat(65)])
      assert.throws(() => rateLimitPolicy(name, 1, 1), RangeError);
    for (const limit of [0, 1.5, 2e9]) assert.throws(() => rateLimitPolicy('p', limit, 1000), RangeError);
    for (const windowMs of [0, 0.5, 400 * 86_400_000])
      assert.throws(() => rateLimitPolicy('p', 1, windowMs), RangeError);
    assert.ok(Object.isFrozen(rateLimitPolicy('login-ip', 20, 60_000)));
  });
});
