import { sql, type ColumnType, type Generated, type Kysely } from 'kysely';

/**
 * One row of the outbox table, as Kysely sees it. Add it to the app's `Database` interface under
 * the table's name to query it with types (e.g. from an admin route).
 */
export interface OutboxTable {
  /** Global relay order. mysql2 returns BIGINT as a number, or a string past 2^53. */
  seq: Generated<number | string>;
  /** `ce_id`: unique, so adding the same message twice fails instead of publishing it twice. */
  id: string;
  topic: string;
  /** The partition key, for looking rows up by aggregate; the relay reads the key from `message`. */
  msg_key: string;
  type: string;
  /** The whole message as JSON (see `Message`): everything needed to publish it again. */
  message: string;
  /** Database clock (`CURRENT_TIMESTAMP(3)`), so ages are measured on one clock. */
  created_at: ColumnType<Date, never, never>;
  /** Null until the broker acknowledged the message; then when the relay marked it. */
  sent_at: ColumnType<Date | null, never, Date | null>;
}

// At most 56 characters: index names append a suffix and MySQL caps identifiers at 64.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,55}$/;

/** Throws a RangeError unless `table` is a plain SQL identifier (it is interpolated as one). */
export function assertTableName(table: string): void {
  if (!IDENTIFIER.test(table)) throw new RangeError(`invalid outbox table name: ${table}`);
}

/**
 * Creates the outbox table; call it from the app's own migration. SQL accepted by MySQL 8 and
 * MariaDB 10.11.
 *
 * The `(sent_at, seq)` index serves both hot queries as index range scans: the relay's
 * `WHERE sent_at IS NULL ORDER BY seq LIMIT n` and cleanup's `WHERE sent_at < ? ORDER BY sent_at, seq`.
 *
 * `ROW_FORMAT=REDUNDANT` on purpose: it reserves the bytes of a NULL fixed-length column, so
 * marking a row (`sent_at` NULL → time) updates it in place instead of rewriting the whole record
 * with its message; that halves MariaDB's CPU per relayed row (ADR 0004, bench P5). Its limits do
 * not bite here: CHAR columns are ASCII (no multi-byte padding), index keys are far below 767
 * bytes, and messages over 768 bytes go off-page as with the default format.
 *
 * @param table default `outbox`
 */
export async function createOutboxTable<DB>(db: Kysely<DB>, table = 'outbox'): Promise<void> {
  assertTableName(table);
  await sql`
    CREATE TABLE ${sql.table(table)} (
      seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      id CHAR(36) CHARACTER SET ascii NOT NULL,
      topic VARCHAR(249) CHARACTER SET ascii NOT NULL,
      msg_key VARCHAR(255) NOT NULL,
      type VARCHAR(255) NOT NULL,
      message MEDIUMTEXT NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      sent_at DATETIME(3) NULL DEFAULT NULL,
      UNIQUE KEY ${sql.id(`${table}_id`)} (id),
      KEY ${sql.id(`${table}_unsent`)} (sent_at, seq)
    ) ENGINE=InnoDB ROW_FORMAT=REDUNDANT DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  `.execute(db);
}

/** Drops the outbox table (the migration's `down`). */
export async function dropOutboxTable<DB>(db: Kysely<DB>, table = 'outbox'): Promise<void> {
  assertTableName(table);
  await sql`DROP TABLE ${sql.table(table)}`.execute(db);
}
