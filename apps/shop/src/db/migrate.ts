import { Kysely, Migrator, MysqlDialect } from 'kysely';
import { createConnection } from 'mysql2/promise';
import { createPool } from 'mysql2';
import { parseMysqlUrl } from './database.ts';
import { moduleMigrations } from '../modules/index.ts';
import { platformMigrations } from './migrations/index.ts';

/**
 * Creates the database when missing and applies pending migrations (Kysely's migrator holds a
 * lock table, so several processes starting at once migrate once). Returns the applied names.
 */
export async function migrateToLatest(url: string, timeoutMs: number): Promise<string[]> {
  const { database, ...conn } = parseMysqlUrl(url);
  const admin = await createConnection({ ...conn, connectTimeout: timeoutMs });
  try {
    await admin.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await admin.end();
  }
  const db = new Kysely<unknown>({
    dialect: new MysqlDialect({ pool: createPool({ ...conn, database, connectionLimit: 2, timezone: 'Z' }) }),
  });
  try {
    const migrations = { ...platformMigrations, ...moduleMigrations() };
    const migrator = new Migrator({
      db,
      provider: { getMigrations: () => Promise.resolve(migrations) },
      // Modules number their migrations independently (modules/index.ts checks names are unique),
      // so one developed alongside another may sort before one a database already ran; each
      // touches only its own module's tables, so the order between modules does not matter.
      allowUnorderedMigrations: true,
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw new Error('migration failed', { cause: error });
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  } finally {
    await db.destroy();
  }
}
