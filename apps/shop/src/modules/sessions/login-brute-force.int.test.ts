import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { testClientAddress } from '../../testing/client-address.ts';
import { newUser, startTestApp, type TestApp } from '../../testing/test-app.ts';

// Finding 4 of issue 8: ~1,100 wrong passwords for the admin from one client in 20 s, never a 429.
describe('login brute force (real Redis + MySQL)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({
      RATE_LIMIT_LOGIN_IP: '5/1m',
      RATE_LIMIT_LOGIN_ACCOUNT_IP: '3/1m',
      RATE_LIMIT_LOGIN_ACCOUNT: '10/1h',
    });
  });
  after(() => t.close());

  const login = ({ email, password }: { email: string; password: string }, remoteAddress: string) =>
    t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { email, password }, remoteAddress });

  async function registered() {
    const user = newUser('bf');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/users',
      payload: user,
      remoteAddress: testClientAddress(),
    });
    assert.equal(res.statusCode, 201, res.body);
    return user;
  }

  const statuses = (rs: LightMyRequestResponse[]) =>
    rs.reduce<Record<number, number>>((n, r) => ({ ...n, [r.statusCode]: (n[r.statusCode] ?? 0) + 1 }), {});

  it('a flood of wrong passwords from one client is refused with 429, Retry-After and RateLimit fields', async () => {
    const victim = await registered();
    const attacker = testClientAddress();
    const flood = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        login({ email: victim.email, password: `wrong password ${i}` }, attacker),
      ),
    );
    // 3 attempts per account and client a minute: the rest never reach scrypt.
    assert.deepEqual(statuses(flood), { 401: 3, 429: 37 });

    const refused = flood.find((r) => r.statusCode === 429)!;
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    const body = refused.json<{ code: string; status: number; instance: string }>();
    assert.equal(body.code, 'RATE_LIMITED');
    assert.equal(body.status, 429);
    assert.equal(body.instance, refused.headers['x-request-id']);
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 20,
      `Retry-After ${retryAfter}`,
    );
    assert.equal(
      refused.headers['ratelimit-policy'],
      '"login-ip";q=5;w=60, "login-account-ip";q=3;w=60, "login-account";q=10;w=3600',
    );
    assert.match(
      String(refused.headers.ratelimit),
      /^"login-ip";r=2;t=\d+, "login-account-ip";r=0;t=\d+, "login-account";r=7;t=\d+$/,
    );
    const admitted = flood.find((r) => r.statusCode === 401)!;
    assert.match(
      String(admitted.headers.ratelimit),
      /"login-ip";r=[0-4];t=\d+/,
      'the fields are on admitted responses too',
    );

    // The client's other accounts: the per-IP limit (5) holds the rest of them back.
    const others = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        login({ email: `other-${i}-${victim.email}`, password: 'guess guess guess' }, attacker),
      ),
    );
    assert.deepEqual(statuses(others), { 401: 2, 429: 3 });

    const metrics = await t.ctx.metrics.getSingleMetricAsString('surge_rate_limited_total');
    assert.match(metrics, /surge_rate_limited_total\{policy="login-account-ip"\} [1-9]/);
    assert.match(metrics, /surge_rate_limited_total\{policy="login-ip"\} [1-9]/);
  });

  it('the owner logging in from another client still gets in during the flood', async () => {
    const owner = await registered();
    const attacker = testClientAddress();
    const flooding = Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        login({ email: owner.email, password: `nope nope nope ${i}` }, attacker),
      ),
    );
    const ownLogin = await login(owner, testClientAddress());
    const flood = await flooding;
    assert.equal(ownLogin.statusCode, 200, ownLogin.body);
    assert.ok(flood.some((r) => r.statusCode === 429));
    assert.equal((await login(owner, testClientAddress())).statusCode, 200, 'and again after it');
  });

  it('a flood from many clients exhausts the per-account budget, yet not for a client the owner used before', async () => {
    const owner = await registered();
    const home = testClientAddress();
    assert.equal((await login(owner, home)).statusCode, 200, 'the owner logs in from home once');

    // 15 clients × 2 guesses: within every per-IP and per-pair limit, over the account's 10 an hour.
    const botnet = Array.from({ length: 15 }, () => testClientAddress());
    const flood = await Promise.all(
      botnet.flatMap((ip) =>
        [1, 2].map((i) => login({ email: owner.email, password: `botnet guess ${i}` }, ip)),
      ),
    );
    const counts = statuses(flood);
    assert.equal(counts[401], 9, 'the account budget (10, one used by the owner) bounds distributed guesses');
    assert.equal(counts[429], 21);

    assert.equal((await login(owner, home)).statusCode, 200, 'home still works: no lockout');
    const fromNew = await login(owner, testClientAddress());
    assert.equal(fromNew.statusCode, 429, 'a client the owner never used waits like the botnet (ADR 0010)');
    assert.match(String(fromNew.headers.ratelimit), /"login-account";r=0/);
  });

  it('a spoofed X-Forwarded-For does not give a client a fresh budget (TRUST_PROXY is off)', async () => {
    const victim = await registered();
    const attacker = testClientAddress();
    const spoofed = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/sessions',
          payload: { email: `spoof-${i}-${victim.email}`, password: 'wrong wrong wrong' },
          remoteAddress: attacker,
          headers: { 'x-forwarded-for': testClientAddress() },
        }),
      ),
    );
    assert.deepEqual(statuses(spoofed), { 401: 5, 429: 7 });
  });
});

describe('client address behind a trusted proxy (TRUST_PROXY lists it)', () => {
  let t: TestApp;
  const proxy = testClientAddress();
  before(async () => {
    t = await startTestApp({ TRUST_PROXY: proxy, RATE_LIMIT_LOGIN_IP: '2/1m' });
  });
  after(() => t.close());

  const viaProxy = (forwardedFor: string, i: number) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { email: `proxy-${i}-${crypto.randomUUID()}@test.surge`, password: 'wrong wrong wrong' },
      remoteAddress: proxy,
      headers: { 'x-forwarded-for': forwardedFor },
    });

  it('keys by the address the proxy saw; a forged left-most entry changes nothing', async () => {
    const client = testClientAddress();
    const forged = await Promise.all(
      Array.from({ length: 6 }, (_, i) => viaProxy(`${testClientAddress()}, ${client}`, i)),
    );
    assert.deepEqual(forged.map((r) => r.statusCode).sort(), [401, 401, 429, 429, 429, 429]);
    const another = await viaProxy(testClientAddress(), 99);
    assert.equal(another.statusCode, 401, 'another client behind the same proxy has its own budget');
  });
});
