import { sql, type Kysely } from 'kysely';

/**
 * Emails compare byte for byte: the column held them under `utf8mb4_unicode_ci`, so a login with
 * `ｕnï…@ÉXAMPLE.com` found `uni…@example.com` (issue 8, finding 11). Every row was stored in
 * the one normalised form (`normalizeEmail`), so the binary collation keeps each row reachable and
 * cannot create duplicates; the unique index is rebuilt under it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE users MODIFY email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE users MODIFY email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL
  `.execute(db);
}
