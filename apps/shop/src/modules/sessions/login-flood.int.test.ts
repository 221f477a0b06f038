import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, startTestApp, type TestApp } from '../../testing/test-app.ts';

/**
 * Issue 8, finding 4 (starvation): ~1,100 wrong-password logins in 20 s queued every scrypt hash
 * on libuv's thread pool; a legitimate login waited 19 s behind them. Hashing now has a
 * concurrency limit with a bounded queue (users/password-hashing.ts): logins beyond it are
 * refused at once with 503 `OVERLOADED` + `Retry-After` instead of waiting, so the server cannot
 * be starved even without rate limits. The limit is tiny here and shedding off, so only it refuses.
 */
describe('login flood beyond the password-hashing limit', () => {
  let t: TestApp;
  const user = newUser('flood');
  before(async () => {
    t = await startTestApp({
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_QUEUE_LIMIT: '2',
      LOAD_SHEDDING: 'false',
    });
    const created = await t.app.inject({ method: 'POST', url: '/v1/users', payload: user });
    assert.equal(created.statusCode, 201);
  });
  after(() => t.close());

  it('wrong passwords beyond the limit: 401 or 503 OVERLOADED with Retry-After, never queued without bound, never 500', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        t.app.inject({
          method: 'POST',
          url: '/v1/sessions',
          payload: { email: user.email, password: 'not the password at all' },
        }),
      ),
    );
    const codes = answers.map((r) => `${r.statusCode} ${r.json<{ code: string }>().code}`);
    assert.deepEqual(
      codes.filter((c) => c !== '401 INVALID_CREDENTIALS' && c !== '503 OVERLOADED'),
      [],
    );
    const refused = answers.filter((r) => r.statusCode === 503);
    assert.ok(refused.length > 0, 'the flood passed the hashing limit and was refused, not queued');
    assert.ok(refused.every((r) => Number(r.headers['retry-after']) >= 1));
    assert.ok(codes.includes('401 INVALID_CREDENTIALS'), 'hashes within the limit ran');
  });

  it('a legitimate login after the flood succeeds', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { email: user.email, password: user.password },
    });
    assert.equal(r.statusCode, 200);
  });
});
