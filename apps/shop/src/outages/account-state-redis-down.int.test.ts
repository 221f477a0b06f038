import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '@surge/test-support';
import { testAppBehindRedisProxy, type AppBehindRedisProxy } from '../testing/redis-behind-proxy.ts';
import { newUser } from '../testing/test-app.ts';

/** Longer than the account-state cache (ACCOUNT_STATE_CACHE_MS, 1 s by default). */
const PAST_THE_CACHE_MS = 1_500;

/**
 * Issue 8, finding 8 while Redis is cut (a fault proxy in front of the test's own redis-server),
 * as ADR 0012 decides it: authentication fails open, but an instance keeps the last account state
 * it saw — a demotion it has seen stays in force through the outage, past its cache lifetime. A
 * demotion it had not seen yet is the documented gap: the signed token is accepted until Redis is
 * back (or the token expires), then refused within seconds.
 */
describe('account state while Redis is cut: what was seen stays in force; the unseen heals after', () => {
  let setup: AppBehindRedisProxy | undefined;
  before(async () => {
    setup = await testAppBehindRedisProxy();
  });
  after(() => setup?.close());

  it('a demotion seen before the cut is kept; one not seen is accepted until Redis is back, then refused', async () => {
    if (!setup) throw new Error('the app did not start');
    const { t, redis } = setup;
    const app = t.app;
    const changes = t.features.users.accountChanges;
    const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload } : {}),
      });
    const createProduct = (token: string) =>
      call('POST', '/v1/admin/products', token, { name: `p-${crypto.randomUUID()}`, priceCents: 100 });
    const adminToken = async () => {
      const user = newUser('acct');
      const created = await app.inject({ method: 'POST', url: '/v1/users', payload: user });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json<{ id: string }>().id;
      assert.deepEqual(await changes.setRole(id, 'admin'), { found: true, published: true });
      const login = await app.inject({
        method: 'POST',
        url: '/v1/sessions',
        payload: { email: user.email, password: user.password },
      });
      assert.equal(login.statusCode, 200, login.body);
      return { id, token: login.json<{ accessToken: string }>().accessToken };
    };

    const seen = await adminToken();
    const unseen = await adminToken();
    assert.equal((await createProduct(seen.token)).statusCode, 201);
    assert.deepEqual(await changes.setRole(seen.id, 'user'), { found: true, published: true });
    await eventually('the seen demotion applied', async () =>
      (await createProduct(seen.token)).statusCode === 403 ? true : undefined,
    );
    // Demoted too, but this instance has not checked its token since: it knows nothing of it.
    assert.deepEqual(await changes.setRole(unseen.id, 'user'), { found: true, published: true });

    await redis.proxy.set({ kind: 'cut' });
    await sleep(PAST_THE_CACHE_MS);
    const during = await createProduct(seen.token);
    assert.equal(during.statusCode, 403, `the seen demotion outlives its cache entry: ${during.body}`);
    assert.equal((await call('GET', '/v1/admin/dead-letters', seen.token)).statusCode, 403);
    assert.equal((await call('GET', '/v1/me', seen.token)).statusCode, 200, 'still a user');
    // ADR 0012's gap, pinned so that changing it is a decision: fail open for the unseen change.
    assert.equal((await call('GET', '/v1/admin/dead-letters', unseen.token)).statusCode, 200);

    await redis.proxy.heal();
    await eventually('the unseen demotion applied once Redis is back', async () =>
      (await call('GET', '/v1/admin/dead-letters', unseen.token)).statusCode === 403 ? true : undefined,
    );
    assert.equal((await createProduct(seen.token)).statusCode, 403);
  });
});
