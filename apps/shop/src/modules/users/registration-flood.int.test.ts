import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testClientAddress } from '../../testing/client-address.ts';
import { newUser, startTestApp, type TestApp } from '../../testing/test-app.ts';

// Issue 8: registration is limited per client IP (each one costs scrypt, a MySQL transaction and an event).
describe('registration flood (real Redis + MySQL)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ RATE_LIMIT_REGISTER_IP: '3/1h' });
  });
  after(() => t.close());

  const register = (remoteAddress: string, user = newUser('flood')) =>
    t.app.inject({ method: 'POST', url: '/v1/users', payload: user, remoteAddress });

  it('one client gets 3 registrations an hour, then 429 before anything is written; other clients are unaffected', async () => {
    const flooder = testClientAddress();
    const users = Array.from({ length: 12 }, () => newUser('flood'));
    const results = await Promise.all(users.map((u) => register(flooder, u)));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 201, 201, ...Array<number>(9).fill(429)]);

    const refused = results.find((r) => r.statusCode === 429)!;
    assert.equal(refused.json<{ code: string }>().code, 'RATE_LIMITED');
    assert.equal(refused.headers['ratelimit-policy'], '"register-ip";q=3;w=3600');
    assert.match(String(refused.headers.ratelimit), /^"register-ip";r=0;t=\d+$/);
    assert.ok(Number(refused.headers['retry-after']) >= 1_000, 'one registration back every 20 minutes');

    const rows = await t.ctx.db
      .selectFrom('users')
      .select('email')
      .where(
        'email',
        'in',
        users.map((u) => u.email),
      )
      .execute();
    assert.equal(rows.length, 3, 'refused registrations wrote nothing');

    assert.equal((await register(testClientAddress())).statusCode, 201, 'another client registers');
    const metrics = await t.ctx.metrics.getSingleMetricAsString('surge_rate_limited_total');
    assert.match(metrics, /surge_rate_limited_total\{policy="register-ip"\} 9/);
  });
});
