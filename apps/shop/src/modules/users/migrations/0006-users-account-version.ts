import { sql, type Kysely } from 'kysely';

/**
 * `account_version`: incremented by every change of a user's role or account state; access
 * tokens carry the version they were issued at (claim `av`), and a change is published to Redis
 * with its version so older tokens stop carrying the old role within seconds (account-state.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users ADD COLUMN account_version INT UNSIGNED NOT NULL DEFAULT 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users DROP COLUMN account_version`.execute(db);
}
