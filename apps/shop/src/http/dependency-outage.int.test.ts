import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFaultProxy, type FaultProxy } from '@surge/resilience';
import { scratchDatabase } from '../testing/scratch-database.ts';
import { newUser, startTestApp, type TestApp } from '../testing/test-app.ts';

/**
 * G8 and docs/architecture.md (degradation, MySQL row): with MySQL unreachable, every route that
 * needs it answers 503 DEPENDENCY_UNAVAILABLE with Retry-After as problem+json — the driver's
 * error classified once (resilience `isTransient`, used by the error handler) — and heals by
 * itself. Before, each of these answered 500 INTERNAL.
 */
describe('MySQL unreachable (fault proxy cut): 503 + Retry-After, never 500', () => {
  const scratch = scratchDatabase('depout');
  let proxy: FaultProxy | undefined;
  let t: TestApp | undefined;
  before(async () => {
    const url = new URL(scratch.url);
    proxy = await startFaultProxy({ target: { host: url.hostname, port: Number(url.port || 3306) } });
    url.host = proxy.address;
    t = await startTestApp({ MYSQL_URL: url.toString() });
  });
  after(async () => {
    await proxy?.heal();
    await t?.close();
    await proxy?.close();
    await scratch.drop();
  });

  it('regression (issue 8): users, sessions, notifications and admin routes answer 503, not 500', async () => {
    if (!t || !proxy) throw new Error('the app did not start');
    const { app } = t;
    const user = newUser('down');
    const created = await app.inject({ method: 'POST', url: '/v1/users', payload: user });
    assert.equal(created.statusCode, 201);
    const userToken = await t.token('user', created.json<{ id: string }>().id);
    const adminToken = await t.token('admin');

    await proxy.set({ kind: 'cut' });
    const requests = [
      { method: 'POST', url: '/v1/users', payload: newUser('down') },
      { method: 'POST', url: '/v1/sessions', payload: { email: user.email, password: user.password } },
      { method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${userToken}` } },
      { method: 'GET', url: '/v1/me/notifications', headers: { authorization: `Bearer ${userToken}` } },
      {
        method: 'POST',
        url: '/v1/admin/products',
        headers: { authorization: `Bearer ${adminToken}` },
        payload: { name: 'never stored', priceCents: 1 },
      },
      { method: 'GET', url: '/v1/admin/dead-letters', headers: { authorization: `Bearer ${adminToken}` } },
    ] as const;
    for (const r of requests) {
      const res = await app.inject(r);
      const what = `${r.method} ${r.url}: ${res.statusCode} ${res.body}`;
      assert.equal(res.statusCode, 503, what);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, what);
      assert.equal(res.headers['retry-after'], '1', what);
      const body = res.json<{ code: string; detail: string }>();
      assert.equal(body.code, 'DEPENDENCY_UNAVAILABLE', what);
      // Nothing internal: no driver message, address or port.
      assert.doesNotMatch(res.body, /ECONNREFUSED|127\.0\.0\.1|mysql|closed state/i, what);
    }

    await proxy.heal();
    const again = await app.inject({ method: 'POST', url: '/v1/users', payload: newUser('healed') });
    assert.equal(again.statusCode, 201, again.body);
  });
});
