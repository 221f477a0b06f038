import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { createDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { DEFAULT_COST } from '../modules/users/password.ts';
import { ensureAdmin } from '../modules/users/ensure-admin.ts';
import { createUsersRepo } from '../modules/users/users-repo.ts';
import { EX_CONFIG, needingMysql, StartupFailure } from '../startup-failure.ts';
import { readSecret } from './read-secret.ts';

const USAGE = `usage: npm run admin:create -- --email <email>

Creates an admin in the database of MYSQL_URL, or makes an existing account with that email an
admin and sets its password. The password (12 to 128 characters) comes from ADMIN_PASSWORD when
it is set (scripts, CI), otherwise it is asked for, twice, on the terminal without being shown.
It is never an argument: arguments are visible to other users (ps), kept in shell history, and
npm prints them.

options:
  --email <email>   the admin's email
  -h, --help        this text
`;

/** Exit 2 (usage error) with a reason and the usage. */
function usageError(reason: string): never {
  process.stderr.write(`admin:create: ${reason}\n\n${USAGE}`);
  process.exit(2);
}

function parse(): { email?: string; help?: boolean; password?: string } {
  try {
    const { values } = parseArgs({
      options: {
        email: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        password: { type: 'string' },
      },
      strict: true,
    });
    return values;
  } catch (err) {
    usageError(err instanceof Error ? err.message : String(err));
  }
}

const okPassword = (p: string) => [...p].length >= 12 && [...p].length <= 128;

/** ADMIN_PASSWORD, else a prompt on a terminal; a usage error when neither is there. */
async function passwordFromEnvOrPrompt(): Promise<string> {
  const fromEnv = process.env.ADMIN_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!okPassword(fromEnv)) usageError('ADMIN_PASSWORD must be 12 to 128 characters');
    return fromEnv;
  }
  if (!process.stdin.isTTY)
    usageError('no password: set ADMIN_PASSWORD, or run on a terminal to be asked for it');
  const first = await readSecret('password (12 to 128 characters, not shown): ');
  if (!okPassword(first)) usageError('the password must be 12 to 128 characters');
  if ((await readSecret('again: ')) !== first) usageError('the two passwords differ');
  return first;
}

const args = parse();
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (args.password !== undefined) {
  usageError(
    '--password is not accepted (ps, shell history and npm would show it); use ADMIN_PASSWORD or the prompt',
  );
}
const email = args.email;
if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) usageError('--email <email> is required');

try {
  const config = loadConfig(process.env, { needsJwtKeys: false });
  const password = await passwordFromEnvOrPrompt();
  const admin = await needingMysql(config.mysqlUrl, async () => {
    await migrateToLatest(config.mysqlUrl, 5000);
    const { db } = createDatabase({ url: config.mysqlUrl, timeoutMs: 5000 });
    try {
      return await ensureAdmin({ users: createUsersRepo(db), passwordCost: DEFAULT_COST }, email, password);
    } finally {
      await db.destroy();
    }
  });
  process.stdout.write(`admin ready: ${admin.email} (id ${admin.id})\n`);
} catch (err) {
  if ((err as { code?: unknown }).code === 'E_INTERRUPTED') process.exit(130);
  const known = err instanceof ConfigError || err instanceof StartupFailure;
  process.stderr.write(`admin:create failed: ${known ? err.message : String(err)}\n`);
  process.exit(err instanceof ConfigError ? EX_CONFIG : err instanceof StartupFailure ? err.exitCode : 1);
}
