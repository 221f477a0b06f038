import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Primary key = the event id: a redelivered event inserts nothing (effectively once, G6).
  await sql`
    CREATE TABLE notifications (
      id CHAR(36) NOT NULL PRIMARY KEY,
      user_id CHAR(36) NOT NULL,
      kind VARCHAR(64) NOT NULL,
      title VARCHAR(200) NOT NULL,
      body VARCHAR(2000) NOT NULL,
      created_at DATETIME(3) NOT NULL,
      KEY notifications_user (user_id, id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  `.execute(db);
  await sql`
    CREATE TABLE audit_log (
      event_id CHAR(36) NOT NULL PRIMARY KEY,
      event_type VARCHAR(255) NOT NULL,
      subject VARCHAR(255) NULL,
      source VARCHAR(255) NOT NULL,
      data MEDIUMTEXT NOT NULL,
      occurred_at DATETIME(3) NOT NULL,
      recorded_at DATETIME(3) NOT NULL,
      KEY audit_log_subject (subject)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  `.execute(db);
  // One row per dead-letter record, keyed by where it sits in the .dlt topic.
  await sql`
    CREATE TABLE dead_letters (
      seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      id CHAR(36) NOT NULL UNIQUE,
      dlt_topic VARCHAR(249) NOT NULL,
      dlt_partition INT NOT NULL,
      dlt_offset BIGINT NOT NULL,
      original_topic VARCHAR(249) NOT NULL,
      original_partition INT NULL,
      original_offset BIGINT NULL,
      consumer_group VARCHAR(255) NULL,
      attempts INT NULL,
      error_class VARCHAR(255) NULL,
      error_message VARCHAR(1000) NULL,
      event_id VARCHAR(64) NULL,
      event_type VARCHAR(255) NULL,
      msg_key VARCHAR(255) NOT NULL,
      message MEDIUMTEXT NOT NULL,
      failed_at DATETIME(3) NOT NULL,
      replayed_at DATETIME(3) NULL,
      replay_count INT NOT NULL DEFAULT 0,
      UNIQUE KEY dead_letters_position (dlt_topic, dlt_partition, dlt_offset)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE dead_letters`.execute(db);
  await sql`DROP TABLE audit_log`.execute(db);
  await sql`DROP TABLE notifications`.execute(db);
}
