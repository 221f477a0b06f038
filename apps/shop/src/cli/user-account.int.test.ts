import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eventually } from '@surge/test-support';
import { newUser, startTestApp, TEST_MYSQL_URL, type TestApp } from '../testing/test-app.ts';

const exec = promisify(execFile);
const CLI = fileURLToPath(new URL('./user-account.ts', import.meta.url));
// Built from scratch: workspace packages resolve to their sources only with this condition (ADR 0007).
const env = {
  PATH: process.env.PATH,
  MYSQL_URL: process.env.MYSQL_URL ?? TEST_MYSQL_URL,
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  SURGE_PROFILE: 'production',
};
const run = (...args: string[]) =>
  exec(process.execPath, ['--conditions=@surge/source', CLI, ...args], { env }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('npm run user:set-role / user:delete (operators demote and delete so it takes effect)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  async function admin(): Promise<{ email: string; token: string }> {
    const user = newUser('ops');
    const created = await t.app.inject({ method: 'POST', url: '/v1/users', payload: user });
    await t.features.users.accountChanges.setRole(created.json<{ id: string }>().id, 'admin');
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { email: user.email, password: user.password },
    });
    return { email: user.email, token: login.json<{ accessToken: string }>().accessToken };
  }
  const deadLetters = (token: string) =>
    t.app
      .inject({ method: 'GET', url: '/v1/admin/dead-letters', headers: { authorization: `Bearer ${token}` } })
      .then((r) => r.statusCode);

  it('set-role --role user takes the admin role from live tokens; delete ends them', async () => {
    const { email, token } = await admin();
    assert.equal(await deadLetters(token), 200);
    const demoted = await run('set-role', '--email', email.toUpperCase(), '--role', 'user');
    assert.equal(demoted.code, 0, demoted.stderr);
    assert.match(demoted.stdout, /is now user/);
    await eventually('the demotion seen', async () =>
      (await deadLetters(token)) === 403 ? true : undefined,
    );

    const deleted = await run('delete', '--email', email);
    assert.equal(deleted.code, 0, deleted.stderr);
    await eventually('the deletion seen', async () =>
      (await deadLetters(token)) === 401 ? true : undefined,
    );
  });

  it('--help prints usage (exit 0); misuse exits 2; an unknown email exits 1', async () => {
    const help = await run('set-role', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: npm run user:set-role/);
    for (const args of [
      ['set-role', '--email', 'a@b.c', '--role', 'root'],
      ['delete'],
      ['nope', '--email', 'a@b.c'],
    ]) {
      assert.equal((await run(...args)).code, 2, args.join(' '));
    }
    const unknown = await run('delete', '--email', `nobody-${crypto.randomUUID()}@test.surge`);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no account/);
  });
});
