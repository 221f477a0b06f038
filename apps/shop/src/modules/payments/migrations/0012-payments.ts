import { sql, type Kysely } from 'kysely';

/**
 * Charges taken for orders, keyed by the gateway's charge id: a replayed gateway answer records
 * nothing twice. `captured` pays its order; a charge that arrived for an order already paid by
 * another charge or cancelled is `refund_pending` until the gateway refunded it, then `refunded`
 * — never kept silently.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE payments (
      charge_id VARCHAR(64) NOT NULL PRIMARY KEY,
      order_id CHAR(36) NOT NULL,
      user_id CHAR(36) NOT NULL,
      amount_cents BIGINT UNSIGNED NOT NULL,
      currency CHAR(3) NOT NULL,
      status VARCHAR(16) NOT NULL,
      refund_id VARCHAR(64) NULL,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      CONSTRAINT payments_status CHECK (status IN ('captured', 'refund_pending', 'refunded')),
      KEY payments_by_order (order_id),
      KEY payments_by_status (status, updated_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE payments`.execute(db);
}
