import { sql, type Kysely } from 'kysely';

/**
 * Dead letters as bytes (issue 8, ADR 0014). `record` holds the original record binary-safe
 * (key, value and headers base64 in JSON; bounded: at most 1 MiB of bytes before base64), where
 * `message` held a JSON re-encoding that lost bytes that are not UTF-8 and grew with escapes.
 * `value_bytes` / `value_sha256` describe the original value even when the stored copy is cut
 * (`truncated` lists what was). Rows of the last resort — a dead letter the broker refused —
 * have no position in a `.dlt` topic (`dlt_partition`, `dlt_offset` NULL) and say why in
 * `dlt_publish_error`. Old rows keep `message` (replayed as before).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE dead_letters
      MODIFY message MEDIUMTEXT NULL,
      MODIFY dlt_partition INT NULL,
      MODIFY dlt_offset BIGINT NULL,
      ADD COLUMN record MEDIUMTEXT CHARACTER SET ascii COLLATE ascii_bin NULL,
      ADD COLUMN value_bytes BIGINT NULL,
      ADD COLUMN value_sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
      ADD COLUMN truncated VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,
      ADD COLUMN dlt_publish_error VARCHAR(1000) NULL
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM dead_letters WHERE message IS NULL OR dlt_offset IS NULL`.execute(db);
  await sql`
    ALTER TABLE dead_letters
      DROP COLUMN record,
      DROP COLUMN value_bytes,
      DROP COLUMN value_sha256,
      DROP COLUMN truncated,
      DROP COLUMN dlt_publish_error,
      MODIFY message MEDIUMTEXT NOT NULL,
      MODIFY dlt_partition INT NOT NULL,
      MODIFY dlt_offset BIGINT NOT NULL
  `.execute(db);
}
