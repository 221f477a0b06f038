import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { throwawayRedis, type ThrowawayRedis, eventually } from '@surge/test-support';
import { newUser, startTestApp, type TestApp } from '../../testing/test-app.ts';

interface Pair {
  accessToken: string;
  refreshToken: string | null;
}

/** Sessions against a Redis of the test's own that is frozen (SIGSTOP) and then killed. */
describe('sessions when Redis freezes or dies (throwaway Redis)', () => {
  let redis: ThrowawayRedis;
  let t: TestApp;
  before(async () => {
    redis = await throwawayRedis();
    t = await startTestApp({ REDIS_URL: redis.url });
  });
  after(async () => {
    redis.resume();
    try {
      // undefined when start-up failed: the throwaway Redis must still stop, or the file never ends
      await (t as TestApp | undefined)?.close();
    } finally {
      await redis.stop();
    }
  });

  const call = (method: 'GET' | 'POST', url: string, token?: string, body?: object) =>
    t.app.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: body }),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const refresh = (refreshToken: string) => call('POST', '/v1/sessions/refresh', undefined, { refreshToken });

  async function register(): Promise<{ id: string; user: ReturnType<typeof newUser> }> {
    const user = newUser();
    const created = await call('POST', '/v1/users', undefined, user);
    assert.equal(created.statusCode, 201, created.body);
    return { id: created.json<{ id: string }>().id, user };
  }
  async function login(user: ReturnType<typeof newUser>): Promise<Pair> {
    const res = await call('POST', '/v1/sessions', undefined, { email: user.email, password: user.password });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<Pair>();
  }

  it('regression: a refresh retried after its 503 keeps the session (the frozen Redis still ran the rotation)', async () => {
    const { user } = await register();
    const first = await refresh((await login(user)).refreshToken ?? '');
    assert.equal(first.statusCode, 200, first.body); // the rotation script is loaded, as in production
    const token = first.json<Pair>().refreshToken ?? '';

    redis.pause();
    const during = await refresh(token);
    assert.equal(during.statusCode, 503, during.body);
    assert.equal(during.json<{ code: string }>().code, 'DEPENDENCY_UNAVAILABLE');
    assert.ok(during.headers['retry-after'], 'Retry-After');
    redis.resume(); // Redis now runs the rotation that was queued in its socket

    const retry = await eventually('the retry answered without a 503', async () => {
      const res = await refresh(token);
      return res.statusCode === 503 ? undefined : res;
    });
    assert.equal(retry.statusCode, 200, retry.body);
    const pair = retry.json<Pair>();
    assert.equal((await call('GET', '/v1/me', pair.accessToken)).statusCode, 200);
    assert.equal((await refresh(pair.refreshToken ?? '')).statusCode, 200, 'the session goes on');
  });

  it('with Redis dead: login works without a refresh token, refresh is 503, signed tokens are accepted, and a demotion seen before stays in force', async () => {
    const admin = await register();
    await t.features.users.accountChanges.setRole(admin.id, 'admin');
    const adminToken = (await login(admin.user)).accessToken;
    assert.equal((await call('GET', '/v1/admin/dead-letters', adminToken)).statusCode, 200);
    await t.features.users.accountChanges.setRole(admin.id, 'user');
    await eventually('the demotion seen', async () =>
      (await call('GET', '/v1/admin/dead-letters', adminToken)).statusCode === 403 ? true : undefined,
    );
    const other = await register();
    const otherPair = await login(other.user);

    await redis.kill();
    const degraded = await login(other.user);
    assert.equal(degraded.refreshToken, null);
    const res = await refresh(otherPair.refreshToken ?? '');
    assert.equal(res.statusCode, 503);
    // Fail open (docs/adr/0012): signed, unexpired tokens work; what was already known still holds.
    assert.equal((await call('GET', '/v1/me', degraded.accessToken)).statusCode, 200);
    assert.equal((await call('GET', '/v1/me', otherPair.accessToken)).statusCode, 200);
    assert.equal((await call('GET', '/v1/admin/dead-letters', adminToken)).statusCode, 403);
  });
});
