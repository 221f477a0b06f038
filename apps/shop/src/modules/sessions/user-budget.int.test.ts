import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testClientAddress } from '../../testing/client-address.ts';
import { newUser, startTestApp, type TestApp } from '../../testing/test-app.ts';

// Issue 8: a default budget per user on every authenticated route (charged in app.authenticate),
// and refresh limited per client IP.
describe('per-user budget and refresh limit (real Redis + MySQL)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ RATE_LIMIT_USER: '3/1h', RATE_LIMIT_REFRESH_IP: '2/1h' });
  });
  after(() => t.close());

  const me = (token: string) =>
    t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } });

  it('a user over the budget gets 429 on any authenticated route; another user does not', async () => {
    const [alice, bob] = [await t.token(), await t.token()];
    // GET /v1/me answers 401 for these token-only users (no account row): the budget is charged first anyway.
    const spent = [await me(alice), await me(alice), await me(alice)];
    assert.ok(spent.every((r) => r.statusCode !== 429));
    assert.match(String(spent[2]!.headers.ratelimit), /^"user";r=0;t=\d+$/);
    const over = await me(alice);
    assert.equal(over.statusCode, 429);
    assert.equal(over.headers['ratelimit-policy'], '"user";q=3;w=3600');
    assert.ok(Number(over.headers['retry-after']) > 0);
    const notifications = await t.app.inject({
      method: 'GET',
      url: '/v1/me/notifications',
      headers: { authorization: `Bearer ${alice}` },
    });
    assert.equal(notifications.statusCode, 429, 'the budget spans routes');
    assert.notEqual((await me(bob)).statusCode, 429);
  });

  it('an invalid token is refused with 401 before any budget is charged', async () => {
    const res = await me('a.b.c');
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers.ratelimit, undefined);
  });

  it('refresh: 2 an hour per client IP, then 429', async () => {
    const user = newUser('refresh');
    const ip = testClientAddress();
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/users', payload: user })).statusCode, 201);
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { email: user.email, password: user.password },
    });
    let refreshToken = login.json<{ refreshToken: string }>().refreshToken;
    for (let i = 0; i < 2; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/sessions/refresh',
        payload: { refreshToken },
        remoteAddress: ip,
      });
      assert.equal(res.statusCode, 200, res.body);
      refreshToken = res.json<{ refreshToken: string }>().refreshToken;
    }
    const over = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions/refresh',
      payload: { refreshToken },
      remoteAddress: ip,
    });
    assert.equal(over.statusCode, 429);
    assert.equal(over.headers['ratelimit-policy'], '"refresh-ip";q=2;w=3600');
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions/refresh',
      payload: { refreshToken },
      remoteAddress: testClientAddress(),
    });
    assert.equal(elsewhere.statusCode, 200, 'the refused refresh did not rotate the token away');
  });
});
