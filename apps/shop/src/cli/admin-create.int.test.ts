import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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

describe('npm run admin:create', () => {
  it('creates an admin, and promotes an existing account with a new password', async () => {
    const email = `ops-${crypto.randomUUID()}@test.surge`;
    const first = await run(
      process.execPath,
      [...NODE_ARGS, '--email', email, '--password', 'first-password-123'],
      {
        env,
      },
    );
    assert.match(first.stdout, /admin ready: /);
    await run(process.execPath, [...NODE_ARGS, '--email', email], {
      env: { ...env, ADMIN_PASSWORD: 'second-password-456' },
    });
    const { db } = createDatabase({ url: env.MYSQL_URL, timeoutMs: 5000 });
    try {
      const rows = await db
        .selectFrom('users')
        .select(['role', 'password_hash'])
        .where('email', '=', email)
        .execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.role, 'admin');
      assert.equal(await verifyPassword('second-password-456', rows[0]?.password_hash ?? ''), true);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a missing email or a short password with usage and exit 2', async () => {
    for (const args of [[], ['--email', 'a@b.c', '--password', 'short']]) {
      const err = await run(process.execPath, [...NODE_ARGS, ...args], { env }).catch((e: unknown) => e);
      assert.equal((err as { code?: number }).code, 2);
      assert.match((err as { stderr: string }).stderr, /usage: npm run admin:create/);
    }
  });
});
