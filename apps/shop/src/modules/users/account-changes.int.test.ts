import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '@surge/test-support';
import { newUser, startTestApp, type TestApp } from '../../testing/test-app.ts';
import { createAccountStates } from './account-state.ts';

interface Pair {
  accessToken: string;
  refreshToken: string;
}

/**
 * Issue 8, finding 8: a demoted or deleted admin kept admin access for the access token's
 * lifetime (15 min), and the failed refresh of a deleted user did not end the session.
 */
describe('account changes reach live access tokens within seconds (real MySQL + Redis)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const call = (method: 'GET' | 'POST', url: string, token?: string, body?: object) =>
    t.app.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: body }),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  /** A registered user made admin through the account changes, logged in. */
  async function adminSession(): Promise<{ id: string; pair: Pair }> {
    const user = newUser('admin');
    const created = await call('POST', '/v1/users', undefined, user);
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json<{ id: string }>().id;
    assert.deepEqual(await t.features.users.accountChanges.setRole(id, 'admin'), {
      found: true,
      published: true,
    });
    const login = await call('POST', '/v1/sessions', undefined, {
      email: user.email,
      password: user.password,
    });
    assert.equal(login.statusCode, 200, login.body);
    return { id, pair: login.json<Pair>() };
  }

  const createProduct = (token: string) =>
    call('POST', '/v1/admin/products', token, { name: `p-${crypto.randomUUID()}`, priceCents: 100 });

  it('regression: a demoted admin loses admin routes within seconds (the old token created products for 15 min)', async () => {
    const { id, pair } = await adminSession();
    assert.equal((await createProduct(pair.accessToken)).statusCode, 201);

    assert.deepEqual(await t.features.users.accountChanges.setRole(id, 'user'), {
      found: true,
      published: true,
    });
    const refused = await eventually('the old admin token refused', async () => {
      const res = await createProduct(pair.accessToken);
      return res.statusCode === 201 ? undefined : res;
    });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json<{ code: string }>().code, 'FORBIDDEN');
    // Still a user: routes that need no role keep working with the same token…
    assert.equal((await call('GET', '/v1/me', pair.accessToken)).statusCode, 200);
    // …and a refresh issues a token of the new role.
    const refreshed = await call('POST', '/v1/sessions/refresh', undefined, {
      refreshToken: pair.refreshToken,
    });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.equal((await createProduct(refreshed.json<Pair>().accessToken)).statusCode, 403);
  });

  it('regression: a deleted admin is refused on every route within seconds, and its failed refresh revokes the session', async () => {
    const { id, pair } = await adminSession();
    assert.equal((await call('GET', '/v1/admin/dead-letters', pair.accessToken)).statusCode, 200);

    assert.deepEqual(await t.features.users.accountChanges.delete(id), { found: true, published: true });
    const refused = await eventually('the deleted admin refused', async () => {
      const res = await call('GET', '/v1/admin/dead-letters', pair.accessToken);
      return res.statusCode === 200 ? undefined : res;
    });
    assert.equal(refused.statusCode, 401);
    assert.equal((await call('GET', '/v1/me', pair.accessToken)).statusCode, 401);

    const sid = (
      JSON.parse(Buffer.from(pair.accessToken.split('.')[1] ?? '', 'base64url').toString()) as { sid: string }
    ).sid;
    const refresh = await call('POST', '/v1/sessions/refresh', undefined, {
      refreshToken: pair.refreshToken,
    });
    assert.equal(refresh.statusCode, 401);
    assert.equal(refresh.json<{ code: string }>().code, 'INVALID_REFRESH_TOKEN');
    assert.equal(await t.features.sessions.refreshStore.isRevoked(sid), true, 'the session must be revoked');
  });

  it('a promoted user gets admin routes without logging in again; tokens issued after a change are unaffected', async () => {
    const user = newUser();
    const created = await call('POST', '/v1/users', undefined, user);
    const id = created.json<{ id: string }>().id;
    const login = await call('POST', '/v1/sessions', undefined, {
      email: user.email,
      password: user.password,
    });
    const token = login.json<Pair>().accessToken;
    assert.equal((await createProduct(token)).statusCode, 403);
    await t.features.users.accountChanges.setRole(id, 'admin');
    await eventually('the promotion seen', async () =>
      (await createProduct(token)).statusCode === 201 ? true : undefined,
    );
    const fresh = await call('POST', '/v1/sessions', undefined, {
      email: user.email,
      password: user.password,
    });
    assert.equal((await createProduct(fresh.json<Pair>().accessToken)).statusCode, 201);
  });

  it('changes of unknown users are reported, and a change published out of order never goes back', async () => {
    assert.deepEqual(await t.features.users.accountChanges.setRole(crypto.randomUUID(), 'user'), {
      found: false,
    });
    const { id } = await adminSession();
    const versions = await t.ctx.db
      .selectFrom('users')
      .select('account_version')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(await t.features.users.accountChanges.setRole(id, 'user'), {
      found: true,
      published: true,
    });
    // A slower writer publishing the earlier version afterwards is ignored.
    const states = createAccountStates(t.ctx.redis, {
      databaseName: t.ctx.databaseName,
      accessTtlSec: t.config.jwt.accessTtlSec,
    });
    assert.equal(
      await states.publish(id, { version: versions.account_version, role: 'admin', status: 'active' }),
      'stale',
    );
    assert.equal((await states.read(id))?.role, 'user');
  });
});
