import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { throwawayRedis, type ThrowawayRedis } from '@surge/test-support';
import { testClientAddress } from '../testing/client-address.ts';
import { newUser, startTestApp, type TestApp } from '../testing/test-app.ts';

// docs/architecture.md, degradation: with Redis down, rate limits fall back to in-process limiters.
describe('rate limits while Redis is down (throwaway Redis, killed)', () => {
  let redis: ThrowawayRedis;
  let t: TestApp;
  before(async () => {
    redis = await throwawayRedis();
    t = await startTestApp({
      REDIS_URL: redis.url,
      RATE_LIMIT_LOGIN_IP: '8/1m',
      RATE_LIMIT_LOGIN_ACCOUNT_IP: '4/1m',
      RATE_LIMIT_REGISTER_IP: '4/1h',
      // Two instances share the limits: alone, this one enforces half of each.
      RATE_LIMIT_INSTANCES: '2',
    });
  });
  after(async () => {
    try {
      // undefined when start-up failed: the throwaway Redis must still stop, or the file never ends
      await (t as TestApp | undefined)?.close();
    } finally {
      await redis.stop();
    }
  });

  it('brute force and registration floods still get 429 (this instance’s share); the owner still logs in', async () => {
    const owner = newUser('outage');
    assert.equal(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/users',
          payload: owner,
          remoteAddress: testClientAddress(),
        })
      ).statusCode,
      201,
    );
    await redis.kill();

    const attacker = testClientAddress();
    const flood = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/sessions',
          payload: { email: owner.email, password: `wrong password ${i}` },
          remoteAddress: attacker,
        }),
      ),
    );
    const codes = flood.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [401, 401, ...Array<number>(18).fill(429)], 'half of 4 per account and client');
    const refused = flood.find((r) => r.statusCode === 429)!;
    assert.match(String(refused.headers['ratelimit-policy']), /"login-account-ip";q=2;w=60/);
    assert.ok(Number(refused.headers['retry-after']) >= 1);

    const own = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { email: owner.email, password: owner.password },
      remoteAddress: testClientAddress(),
    });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(
      own.json<{ refreshToken: string | null }>().refreshToken,
      null,
      'Redis down: no refresh token',
    );

    const flooder = testClientAddress();
    const registrations = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.app.inject({
          method: 'POST',
          url: '/v1/users',
          payload: newUser('outage'),
          remoteAddress: flooder,
        }),
      ),
    );
    assert.deepEqual(registrations.map((r) => r.statusCode).sort(), [201, 201, 429, 429, 429, 429]);

    const fallback = await t.ctx.metrics.getSingleMetricAsString('surge_rate_limit_fallback_total');
    assert.match(fallback, /surge_rate_limit_fallback_total\{policy="login-ip"\} [1-9]/);
  });
});
