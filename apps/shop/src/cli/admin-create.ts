import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { createDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { DEFAULT_COST } from '../modules/users/password.ts';
import { ensureAdmin } from '../modules/users/ensure-admin.ts';
import { createUsersRepo } from '../modules/users/users-repo.ts';

/**
 * `npm run admin:create -- --email a@b.c [--password …]`: creates an admin (or promotes an
 * existing account and sets its password). Without --password, reads it from ADMIN_PASSWORD.
 */
const usage =
  'usage: npm run admin:create -- --email <email> [--password <12..128 chars>] (or ADMIN_PASSWORD)';
const { values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' } } });
const email = values.email;
const password = values.password ?? process.env.ADMIN_PASSWORD;
if (
  !email ||
  !/^[^@\s]+@[^@\s]+$/.test(email) ||
  !password ||
  password.length < 12 ||
  password.length > 128
) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
try {
  const config = loadConfig(process.env, { needsJwtKeys: false });
  await migrateToLatest(config.mysqlUrl, 5000);
  const { db } = createDatabase({ url: config.mysqlUrl, timeoutMs: 5000 });
  try {
    const admin = await ensureAdmin(
      { users: createUsersRepo(db), passwordCost: DEFAULT_COST },
      email,
      password,
    );
    process.stdout.write(`admin ready: ${admin.email} (id ${admin.id})\n`);
  } finally {
    await db.destroy();
  }
} catch (err) {
  process.stderr.write(`admin:create failed: ${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(1);
}
