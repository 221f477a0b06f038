import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, eventually } from '@surge/test-support';
import { createDatabase } from '../db/database.ts';
import { verifyPassword } from '../modules/users/password.ts';
import { TEST_MYSQL_URL } from '../testing/test-app.ts';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('./admin-create.ts', import.meta.url));
// The environment is built from scratch: the workspace packages resolve to their sources only
// with the condition `scripts/lib/node.sh` sets for every other process (ADR 0007).
const NODE_ARGS = ['--conditions=@surge/source', CLI];
const env = {
  PATH: process.env.PATH,
  MYSQL_URL: process.env.MYSQL_URL ?? TEST_MYSQL_URL,
  SURGE_PROFILE: 'production',
};

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end; a non-zero exit resolves too, with its code. */
const cli = (args: string[], extraEnv: Record<string, string> = {}): Promise<Exit> =>
  run(process.execPath, [...NODE_ARGS, ...args], { env: { ...env, ...extraEnv } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );

async function storedAdmin(email: string) {
  const { db } = createDatabase({ url: env.MYSQL_URL, timeoutMs: 5000 });
  try {
    return await db
      .selectFrom('users')
      .select(['role', 'password_hash'])
      .where('email', '=', email)
      .execute();
  } finally {
    await db.destroy();
  }
}

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('npm run admin:create', () => {
  it('creates an admin from ADMIN_PASSWORD, and promotes an existing account with a new one', async () => {
    const email = `ops-${crypto.randomUUID()}@test.surge`;
    const first = await cli(['--email', email], { ADMIN_PASSWORD: 'first-password-123' });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /admin ready: /);
    assert.equal((await cli(['--email', email], { ADMIN_PASSWORD: 'second-password-456' })).code, 0);
    const rows = await storedAdmin(email);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.role, 'admin');
    assert.equal(await verifyPassword('second-password-456', rows[0]?.password_hash ?? ''), true);
  });

  it('refuses a missing email or a short password with usage and exit 2', async () => {
    for (const [args, pw] of [
      [[], 'long-enough-password'],
      [['--email', 'a@b.c'], 'short'],
    ] as const) {
      const res = await cli([...args], { ADMIN_PASSWORD: pw });
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /usage: npm run admin:create/);
    }
  });

  // Issue 8, finding 13: `--help` died with ERR_PARSE_ARGS_UNKNOWN_OPTION and a stack trace.
  it('--help prints the usage and exits 0; an unknown option is a usage error, no stack', async () => {
    for (const flag of ['--help', '-h']) {
      const help = await cli([flag]);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^usage: npm run admin:create -- --email <email>/);
      assert.match(help.stdout, /ADMIN_PASSWORD/);
    }
    const unknown = await cli(['--emial', 'a@b.c']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--emial'[\s\S]*usage:/);
    assert.doesNotMatch(unknown.stderr, /ERR_PARSE_ARGS/);
    assert.doesNotMatch(unknown.stderr, STACK_FRAME);
  });

  // Issue 8, finding 13: the password was an argument, which npm echoes (and ps shows).
  it('refuses --password without repeating it', async () => {
    const res = await cli(['--email', 'a@b.c', '--password', 'visible-password-1']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /--password is not accepted/);
    assert.doesNotMatch(res.stdout + res.stderr, /visible-password-1/);
  });

  it('without ADMIN_PASSWORD and without a terminal: says how to give one; exit 2', async () => {
    const res = await cli(['--email', 'a@b.c']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /no password: set ADMIN_PASSWORD, or run on a terminal/);
  });

  it(
    'on a terminal: asks twice for the password and never shows it',
    { skip: !hasScript && 'needs script(1)' },
    async () => {
      const email = `tty-${crypto.randomUUID()}@test.surge`;
      const password = 'typed-on-a-terminal-42';
      // script(1) runs the CLI on a pseudo-terminal and copies what the terminal shows to stdout.
      const command = [process.execPath, ...NODE_ARGS, '--email', email].map((a) => `'${a}'`).join(' ');
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let shown = '';
      child.stdout.on('data', (d: Buffer) => (shown += d.toString()));
      const exited = once(child, 'exit');
      await eventually('the first prompt', () => Promise.resolve(/password \(/.test(shown) || undefined), {
        timeoutMs: 60_000,
        progress: () => shown,
      });
      child.stdin.write(`${password}\r`);
      await eventually('the second prompt', () => Promise.resolve(/again: /.test(shown) || undefined), {
        timeoutMs: 30_000,
        progress: () => shown,
      });
      child.stdin.write(`${password}\r`);
      await eventually('the result', () => Promise.resolve(/admin ready: /.test(shown) || undefined), {
        timeoutMs: 60_000,
        progress: () => shown,
      });
      child.stdin.end();
      await exited;
      assert.equal(shown.includes(password), false, `the terminal showed the password:\n${shown}`);
      const rows = await storedAdmin(email);
      assert.equal(await verifyPassword(password, rows[0]?.password_hash ?? ''), true);
    },
  );

  it('MySQL not reachable: one line naming MYSQL_URL, exit 69', async () => {
    const port = await freePort();
    const res = await cli(['--email', 'a@b.c'], {
      ADMIN_PASSWORD: 'long-enough-password',
      MYSQL_URL: `mysql://root@127.0.0.1:${port}/surge_test`,
    });
    assert.equal(res.code, 69, res.stderr);
    assert.equal(
      res.stderr,
      `admin:create failed: cannot reach MySQL at 127.0.0.1:${port} (ECONNREFUSED); start it, or fix MYSQL_URL\n`,
    );
  });
});
