import { sql, type Kysely } from 'kysely';

/** Orders; the primary key is the orderId chosen at placement, so a redelivered event inserts nothing. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE orders (
      id CHAR(36) NOT NULL PRIMARY KEY,
      user_id CHAR(36) NOT NULL,
      sale_id CHAR(36) NOT NULL,
      quantity INT UNSIGNED NOT NULL,
      price_cents BIGINT UNSIGNED NOT NULL,
      status VARCHAR(16) NOT NULL,
      reject_reason VARCHAR(32) NULL,
      placed_at DATETIME(3) NOT NULL,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      CONSTRAINT orders_status CHECK (status IN ('confirmed', 'rejected', 'paid', 'cancelled')),
      KEY orders_by_user (user_id, id),
      KEY orders_by_sale (sale_id, status)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE orders`.execute(db);
}
