import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { createDatabase, parseMysqlUrl } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createRedis, redisConnected } from '../infra/redis.ts';
import { createAccountChanges, type AccountChange } from '../modules/users/account-changes.ts';
import { createAccountStates } from '../modules/users/account-state.ts';
import { createUsersRepo } from '../modules/users/users-repo.ts';
import type { Role } from '../modules/sessions/tokens.ts';

/**
 * `npm run user:set-role -- --email a@b.c --role user|admin` and `npm run user:delete -- --email
 * a@b.c`: change an account so that its live access tokens follow within seconds (the change is
 * committed in MySQL, then published to Redis; docs/operations.md). A change made by hand in SQL
 * reaches tokens only at their next refresh.
 */
const usage = [
  'usage: npm run user:set-role -- --email <email> --role <user|admin>',
  '       npm run user:delete -- --email <email>',
  'Changes the account in MySQL and publishes the change to Redis, so existing access tokens',
  'lose a removed role (or stop working, for a deleted account) within seconds.',
  'Exit codes: 0 done, 1 failed or not published (re-run when Redis is back), 2 usage.',
].join('\n');

type Command = 'set-role' | 'delete';

/** Parses the command line; an exit code after printing usage (help: 0, misuse: 2). */
function parseCommand(): { command: Command; email: string; role?: Role } | number {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { email: { type: 'string' }, role: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const [command] = positionals;
  const { email, role } = values;
  if (email && command === 'set-role' && (role === 'user' || role === 'admin'))
    return { command, email, role };
  if (email && command === 'delete' && role === undefined) return { command, email };
  process.stderr.write(`${usage}\n`);
  return 2;
}

async function run(command: Command, email: string, role: Role | undefined): Promise<number> {
  const config = loadConfig(process.env, { needsJwtKeys: false });
  const timeoutMs = Math.max(config.dependencyTimeoutMs, 5000);
  await migrateToLatest(config.mysqlUrl, timeoutMs);
  const { db } = createDatabase({ url: config.mysqlUrl, timeoutMs });
  const redis = createRedis(config.redisUrl, { timeoutMs, name: 'surge-cli' });
  redis.on('error', () => {}); // reported below as "not published"
  try {
    await redisConnected(redis, timeoutMs);
    const users = createUsersRepo(db);
    const states = createAccountStates(redis, {
      databaseName: parseMysqlUrl(config.mysqlUrl).database,
      accessTtlSec: config.jwt.accessTtlSec,
    });
    const changes = createAccountChanges({ users, states });
    const user = await users.findCredentialsByEmail(email);
    const result: AccountChange = !user
      ? { found: false }
      : role === undefined
        ? await changes.delete(user.id)
        : await changes.setRole(user.id, role);
    if (!user || !result.found) {
      process.stderr.write(`user:${command}: no account with the email ${email}\n`);
      return 1;
    }
    if (!result.published) {
      process.stderr.write(
        `user:${command}: changed in MySQL, but Redis could not be told (${String(result.error)}): ` +
          'existing access tokens keep their old role until they expire (at most JWT_ACCESS_TTL_SEC). ' +
          'Run the same command again once Redis answers.\n',
      );
      return 1;
    }
    const what = role === undefined ? 'deleted' : `now ${role}`;
    process.stdout.write(`${email} (id ${user.id}) is ${what}; live access tokens follow within seconds\n`);
    return 0;
  } finally {
    redis.disconnect();
    await db.destroy();
  }
}

const parsedCommand = parseCommand();
if (typeof parsedCommand === 'number') process.exit(parsedCommand);
const { command, email, role } = parsedCommand;
try {
  process.exit(await run(command, email, role));
} catch (err) {
  const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`user:${command} failed: ${message}\n`);
  process.exit(1);
}
