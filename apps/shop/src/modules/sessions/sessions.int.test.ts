import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { importPKCS8, SignJWT } from 'jose';
import Fastify from 'fastify';
import { authPlugin } from './auth-plugin.ts';
import { installErrorHandling } from '../../http/error-handler.ts';
import { newUser, startTestApp, type TestApp } from '../../testing/test-app.ts';

interface Pair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

describe('users and sessions (real MySQL + Redis)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const json = (method: 'POST' | 'GET' | 'DELETE', url: string, body?: unknown, token?: string) =>
    t.app.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: body as object }),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  async function registerAndLogin(): Promise<{ user: ReturnType<typeof newUser>; id: string; pair: Pair }> {
    const user = newUser();
    const created = await json('POST', '/v1/users', user);
    assert.equal(created.statusCode, 201, created.body);
    const login = await json('POST', '/v1/sessions', { email: user.email, password: user.password });
    assert.equal(login.statusCode, 200, login.body);
    return { user, id: created.json<{ id: string }>().id, pair: login.json<Pair>() };
  }

  /** Signs arbitrary claims with the app's real private key. */
  async function sign(
    claims: Record<string, unknown>,
    opts: { aud?: string; exp?: number; iss?: string } = {},
  ) {
    const key = await importPKCS8(t.keys.privateKeyPem, 'ES256');
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ role: 'user', sid: crypto.randomUUID(), ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-1', typ: 'at+jwt' })
      .setIssuer(opts.iss ?? t.config.jwt.issuer)
      .setAudience(opts.aud ?? t.config.jwt.audience)
      .setIssuedAt(now - 3600)
      .setExpirationTime(opts.exp ?? now + 600)
      .sign(key);
  }

  it('register → login → /v1/me returns the user; the password is never returned', async () => {
    const { user, id, pair } = await registerAndLogin();
    assert.equal(pair.expiresIn, t.config.jwt.accessTtlSec);
    const me = await json('GET', '/v1/me', undefined, pair.accessToken);
    assert.equal(me.statusCode, 200, me.body);
    const body = me.json<Record<string, unknown>>();
    assert.deepEqual(
      { id: body.id, email: body.email, role: body.role, displayName: body.displayName },
      { id, email: user.email, role: 'user', displayName: user.displayName },
    );
    assert.ok(!me.body.includes('scrypt') && !me.body.includes(user.password));
    const row = await t.ctx.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^scrypt-opaque\$/);
  });

  it('emails are unique, case-insensitively: 409 EMAIL_TAKEN', async () => {
    const user = newUser();
    assert.equal((await json('POST', '/v1/users', user)).statusCode, 201);
    const again = await json('POST', '/v1/users', { ...user, email: user.email.toUpperCase() });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json<{ code: string }>().code, 'EMAIL_TAKEN');
  });

  it('unknown email and wrong password get the identical 401 INVALID_CREDENTIALS', async () => {
    const { user } = await registerAndLogin();
    const wrong = await json('POST', '/v1/sessions', { email: user.email, password: 'not the password!' });
    const unknown = await json('POST', '/v1/sessions', { email: `x${user.email}`, password: user.password });
    for (const r of [wrong, unknown]) {
      assert.equal(r.statusCode, 401);
      assert.equal(r.json<{ code: string }>().code, 'INVALID_CREDENTIALS');
    }
    const strip = (b: string) => b.replace(/"instance":"[^"]+"/, '');
    assert.equal(strip(wrong.body), strip(unknown.body));
  });

  it('refuses tampered, alg:none, HS256-with-public-key, expired, wrong-audience and wrong-issuer tokens', async () => {
    const { id, pair } = await registerAndLogin();
    const [h, p, s] = pair.accessToken.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

    const tampered = `${h}.${b64({ ...payload, role: 'admin' })}.${s}`;
    const algNone = `${b64({ alg: 'none', typ: 'at+jwt' })}.${p}.`;
    const hs256 = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', kid: 'test-1', typ: 'at+jwt' })
      .sign(new TextEncoder().encode(t.keys.publicKeyPem));
    const expired = await sign({ sub: id }, { exp: Math.floor(Date.now() / 1000) - 60 });
    const wrongAud = await sign({ sub: id }, { aud: 'someone-else' });
    const wrongIss = await sign({ sub: id }, { iss: 'https://evil.example' });
    const control = await sign({ sub: id });

    assert.equal(
      (await json('GET', '/v1/me', undefined, control)).statusCode,
      200,
      'control token must work',
    );
    for (const [name, token] of Object.entries({ tampered, algNone, hs256, expired, wrongAud, wrongIss })) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/me',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.statusCode, 401, `${name} → ${res.statusCode}`);
      assert.equal(res.json<{ code: string }>().code, 'UNAUTHORIZED', name);
    }
    for (const authorization of ['', 'Bearer', 'Basic abc', `Bearer ${pair.accessToken} x`]) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization } });
      assert.equal(res.statusCode, 401, authorization);
    }
  });

  const refresh = (refreshToken: string) => json('POST', '/v1/sessions/refresh', { refreshToken });
  const sidOf = (accessToken: string) =>
    (JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as { sid: string }).sid;

  it('refresh rotates; reusing a rotated-away token after its successor was used revokes the whole family', async () => {
    const { pair } = await registerAndLogin();
    const first = await refresh(pair.refreshToken);
    assert.equal(first.statusCode, 200, first.body);
    const rotated = first.json<Pair>();
    assert.notEqual(rotated.refreshToken, pair.refreshToken);
    assert.equal((await json('GET', '/v1/me', undefined, rotated.accessToken)).statusCode, 200);
    const second = await refresh(rotated.refreshToken);
    assert.equal(second.statusCode, 200, second.body);
    const latest = second.json<Pair>();

    // The first token again, after the family moved on: someone holds a copy. Everything dies.
    const reuse = await refresh(pair.refreshToken);
    assert.equal(reuse.statusCode, 401);
    assert.equal(reuse.json<{ code: string }>().code, 'INVALID_REFRESH_TOKEN');
    assert.equal((await refresh(latest.refreshToken)).statusCode, 401, 'the current token must fail too');
    for (const token of [latest.accessToken, rotated.accessToken, pair.accessToken]) {
      assert.equal((await json('GET', '/v1/me', undefined, token)).statusCode, 401);
    }
  });

  it('regression: a refresh retried with the same token (its response was lost) gets the same new pair, not a revocation', async () => {
    const { pair } = await registerAndLogin();
    const lost = await refresh(pair.refreshToken);
    assert.equal(lost.statusCode, 200, lost.body);
    const retry = await refresh(pair.refreshToken);
    assert.equal(retry.statusCode, 200, retry.body);
    const again = retry.json<Pair>();
    assert.equal(again.refreshToken, lost.json<Pair>().refreshToken);
    assert.equal((await json('GET', '/v1/me', undefined, again.accessToken)).statusCode, 200);
    assert.equal((await refresh(again.refreshToken)).statusCode, 200, 'the session goes on');
  });

  it('concurrent refreshes with the same token all get the same new refresh token (the family never forks)', async () => {
    const { pair } = await registerAndLogin();
    const results = await Promise.all(Array.from({ length: 8 }, () => refresh(pair.refreshToken)));
    assert.ok(results.every((r) => r.statusCode === 200 || r.statusCode === 401));
    const tokens = new Set(
      results.filter((r) => r.statusCode === 200).map((r) => r.json<Pair>().refreshToken),
    );
    assert.equal(tokens.size, 1, 'exactly one successor');
  });

  it('regression: a refresh token made of a session id (the sid claim) and a never-issued secret revokes nothing', async () => {
    const { pair } = await registerAndLogin();
    const sid = sidOf(pair.accessToken);
    for (const secret of ['A'.repeat(43), Buffer.alloc(32, 7).toString('base64url')]) {
      const forged = await refresh(`${sid}.${secret}`);
      assert.equal(forged.statusCode, 401);
      assert.equal(forged.json<{ code: string }>().code, 'INVALID_REFRESH_TOKEN');
    }
    assert.equal((await json('GET', '/v1/me', undefined, pair.accessToken)).statusCode, 200);
    const victim = await refresh(pair.refreshToken);
    assert.equal(victim.statusCode, 200, 'the victim keeps their session');
    // Also once the family has rotated: a forged secret is still not "reuse".
    assert.equal((await refresh(`${sid}.${'B'.repeat(43)}`)).statusCode, 401);
    assert.equal((await refresh(victim.json<Pair>().refreshToken)).statusCode, 200);
  });

  it('logout revokes the refresh token and the access token', async () => {
    const { pair } = await registerAndLogin();
    const out = await json('DELETE', '/v1/sessions/current', undefined, pair.accessToken);
    assert.equal(out.statusCode, 204);
    assert.equal((await json('GET', '/v1/me', undefined, pair.accessToken)).statusCode, 401);
    assert.equal(
      (await json('POST', '/v1/sessions/refresh', { refreshToken: pair.refreshToken })).statusCode,
      401,
    );
  });

  it('garbage refresh tokens are 401, oversized ones 400', async () => {
    for (const refreshToken of ['', 'x', `${crypto.randomUUID()}.${'a'.repeat(43)}`, 'a.b.c']) {
      const res = await json('POST', '/v1/sessions/refresh', { refreshToken });
      assert.equal(res.statusCode, 401, refreshToken);
    }
    assert.equal(
      (await json('POST', '/v1/sessions/refresh', { refreshToken: 'x'.repeat(500) })).statusCode,
      400,
    );
  });

  it('requireRole: a user token gets 403 FORBIDDEN, an admin token passes, no token 401', async () => {
    // No admin route exists yet in this slice, so the auth plugin is mounted on a bare app.
    const app = Fastify();
    installErrorHandling(app);
    await app.register(authPlugin, {
      tokens: t.features.sessions.tokens,
      refreshStore: t.features.sessions.refreshStore,
      accounts: t.features.sessions.accounts,
    });
    app.get('/admin-only', { onRequest: [app.authenticate, app.requireRole('admin')] }, () => ({ ok: true }));
    const { id, pair } = await registerAndLogin();
    const adminToken = await t.token('admin', id);
    const call = (token?: string) =>
      app.inject({
        method: 'GET',
        url: '/admin-only',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    const asUser = await call(pair.accessToken);
    assert.equal(asUser.statusCode, 403);
    assert.equal(asUser.json<{ code: string }>().code, 'FORBIDDEN');
    assert.equal((await call(adminToken)).statusCode, 200);
    assert.equal((await call()).statusCode, 401);
    await app.close();
  });
});
