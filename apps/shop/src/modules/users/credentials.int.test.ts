import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { newUser, startTestApp, type TestApp } from '../../testing/test-app.ts';

/**
 * Issue 8, finding 11: different credentials were treated as equal — passwords with lone
 * surrogates all hashed as U+FFFD, and login matched emails under the database's Unicode collation.
 */
describe('credentials are compared in one normalised form (real MySQL)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const post = (url: string, body: object) => t.app.inject({ method: 'POST', url, payload: body });
  const login = (email: string, password: string) => post('/v1/sessions', { email, password });

  it('regression: a password with lone surrogates is refused at registration (400 on body/password)', async () => {
    for (const password of [
      '\ud800'.repeat(12),
      `correct horse ${'\udfff'} battery`,
      `bell\u0007-password-1`,
    ]) {
      const res = await post('/v1/users', { ...newUser(), password });
      assert.equal(res.statusCode, 400, JSON.stringify(password));
      const body = res.json<{ code: string; errors: Array<{ path: string }> }>();
      assert.equal(body.code, 'VALIDATION_FAILED');
      assert.deepEqual(
        body.errors.map((e) => e.path),
        ['body/password'],
      );
    }
  });

  it('regression: "\\udfff"×12 does not log into an account made with "\\ud800"×12 (both hashed as U+FFFD)', async () => {
    // An account from before the fix: its password hash is scrypt over U+FFFD×12, as stored then.
    const user = newUser('surrogate');
    const salt = randomBytes(16);
    const key = scryptSync('\ud800'.repeat(12).normalize('NFKC'), salt, 32, { N: 4096, r: 8, p: 1 });
    const passwordHash = ['scrypt', 4096, 8, 1, salt.toString('base64url'), key.toString('base64url')].join(
      '$',
    );
    await t.features.users.repo.create({ email: user.email, displayName: 'x', passwordHash });
    for (const password of ['\udfff'.repeat(12), '\ud800'.repeat(12)]) {
      const res = await login(user.email, password);
      assert.equal(res.statusCode, 401);
      assert.equal(res.json<{ code: string }>().code, 'INVALID_CREDENTIALS');
    }
  });

  it('the same password in another Unicode normalisation form or with other spaces logs in', async () => {
    const user = { ...newUser(), password: 'caf\u00e9 au lait, sans sucre' };
    assert.equal((await post('/v1/users', user)).statusCode, 201);
    assert.equal((await login(user.email, 'cafe\u0301 au\u00a0lait, sans\u2003sucre')).statusCode, 200);
    assert.equal((await login(user.email, 'ｃａｆé au lait, sans sucre')).statusCode, 401);
  });

  it('regression: ｕnï…@ÉXAMPLE.com no longer logs into uni…@example.com (the column collation matched them)', async () => {
    const tag = crypto.randomUUID();
    const user = { ...newUser(), email: `uni-${tag}@example.com` };
    assert.equal((await post('/v1/users', user)).statusCode, 201);
    assert.equal((await login(user.email, user.password)).statusCode, 200, 'control');

    const lookalike = `ｕnï-${tag}@ÉXAMPLE.com`;
    assert.equal(
      (await post('/v1/users', { ...user, email: lookalike })).statusCode,
      400,
      'registration refuses it',
    );
    const res = await login(lookalike, user.password);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json<{ code: string }>().code, 'INVALID_CREDENTIALS');
  });

  it('regression: the Kelvin sign does not stand for k (a Unicode lower-casing of the login email made them equal)', async () => {
    const tag = crypto.randomUUID();
    const user = { ...newUser(), email: `kate-${tag}@example.com` };
    assert.equal((await post('/v1/users', user)).statusCode, 201);
    assert.equal((await login(`\u212Aate-${tag}@example.com`, user.password)).statusCode, 401);
  });

  it('emails stay case-insensitive in ASCII, ignore surrounding spaces, and stay unique that way', async () => {
    const user = newUser('Case');
    assert.equal((await post('/v1/users', user)).statusCode, 201);
    assert.equal((await login(`  ${user.email.toUpperCase()} `, user.password)).statusCode, 200);
    const again = await post('/v1/users', { ...user, email: user.email.toUpperCase() });
    assert.equal(again.statusCode, 409);
  });
});
