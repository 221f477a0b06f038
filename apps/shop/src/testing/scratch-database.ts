import { sql, type Kysely } from 'kysely';
import { createDatabase } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { TEST_MYSQL_URL } from './test-app.ts';

// Unknown database, unknown table: the service under test has not created or migrated it yet.
const NOT_MIGRATED_YET = new Set([1049, 1146]);

export interface ScratchDatabase {
  /** e.g. `surge_test_crash_1a2b3c4d`. */
  name: string;
  /** `MYSQL_URL` for a service process that should use (create and migrate) this database. */
  url: string;
  /** The test's own connection, for reading what the service wrote. */
  db: Kysely<Database>;
  /** Rows in `table`; 0 while the database or the table does not exist yet. */
  count(table: 'notifications' | 'audit_log' | 'outbox' | 'users' | 'dead_letters'): Promise<number>;
  /** Drops the database and closes the connection. Idempotent; never throws. */
  drop(): Promise<void>;
}

/**
 * A database of the test's own on the test server, named `surge_test_<tag>_<random>`, for tests
 * that run the service as a child process (which creates and migrates it at start) and then
 * assert on what it wrote. Not created here: the service under test does that.
 */
export function scratchDatabase(tag: string): ScratchDatabase {
  const name = `surge_test_${tag}_${crypto.randomUUID().slice(0, 8)}`;
  const base = process.env.MYSQL_URL ?? TEST_MYSQL_URL;
  const url = base.replace(/\/[A-Za-z0-9_]+$/, `/${name}`);
  const { db } = createDatabase({ url, timeoutMs: 5_000, connectionLimit: 2 });
  let dropped = false;
  return {
    name,
    url,
    db,
    async count(table) {
      try {
        const row = await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow();
        return Number(row.n);
      } catch (err) {
        if (NOT_MIGRATED_YET.has((err as { errno?: number }).errno ?? 0)) return 0;
        throw err;
      }
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        // Dropping the database a connection uses is allowed; a database never created is 1049.
        await sql.raw(`DROP DATABASE IF EXISTS \`${name}\``).execute(db);
      } catch {
        // best effort: a leftover scratch database is harmless, its name is unique
      } finally {
        await db.destroy().catch(() => {});
      }
    },
  };
}
