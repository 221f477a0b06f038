import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rateLimitPolicy, type RateLimitResult } from '@surge/redis-kit';
import { rateLimitFields, retryAfterSec } from './rate-limit-fields.ts';

const result = (over: Partial<RateLimitResult>): RateLimitResult => ({
  policy: rateLimitPolicy('login-ip', 10, 60_000),
  key: 'k',
  allowed: true,
  limit: 10,
  remaining: 9,
  resetMs: 6_000,
  retryAfterMs: 0,
  ...over,
});

describe('rateLimitFields (draft -11 syntax)', () => {
  it('one policy: quota and window; remaining and seconds to reset, rounded up', () => {
    assert.deepEqual(rateLimitFields([result({ remaining: 0, resetMs: 41_001 })]), {
      'ratelimit-policy': '"login-ip";q=10;w=60',
      ratelimit: '"login-ip";r=0;t=42',
    });
  });

  it('several policies are list members in check order; q is the quota enforced (a fallback share)', () => {
    const fields = rateLimitFields([
      result({}),
      result({
        policy: rateLimitPolicy('login-account', 100, 3_600_000),
        limit: 50,
        remaining: 49,
        resetMs: 36_000,
      }),
    ]);
    assert.equal(fields['ratelimit-policy'], '"login-ip";q=10;w=60, "login-account";q=50;w=3600');
    assert.equal(fields.ratelimit, '"login-ip";r=9;t=6, "login-account";r=49;t=36');
  });

  it('Retry-After is whole seconds, never 0', () => {
    assert.equal(retryAfterSec(1), 1);
    assert.equal(retryAfterSec(1000), 1);
    assert.equal(retryAfterSec(1001), 2);
    assert.equal(retryAfterSec(0), 1);
  });
});
