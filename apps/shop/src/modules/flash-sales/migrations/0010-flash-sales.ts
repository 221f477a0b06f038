import { sql, type Kysely } from 'kysely';

/**
 * Flash sales. `sold` is the system of record's count of units in non-rejected orders; the CHECK
 * is the last line of G1 (no oversell) below the order-writer's guarded UPDATE.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE flash_sales (
      id CHAR(36) NOT NULL PRIMARY KEY,
      product_id CHAR(36) NOT NULL,
      stock INT UNSIGNED NOT NULL,
      sold INT UNSIGNED NOT NULL DEFAULT 0,
      price_cents BIGINT UNSIGNED NOT NULL,
      starts_at DATETIME(3) NOT NULL,
      ends_at DATETIME(3) NOT NULL,
      per_user_limit INT UNSIGNED NOT NULL,
      version INT UNSIGNED NOT NULL DEFAULT 1,
      created_at DATETIME(3) NOT NULL,
      updated_at DATETIME(3) NOT NULL,
      CONSTRAINT flash_sales_sold_within_stock CHECK (sold <= stock),
      CONSTRAINT flash_sales_window CHECK (starts_at < ends_at),
      KEY flash_sales_by_product (product_id),
      KEY flash_sales_by_window (starts_at, ends_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE flash_sales`.execute(db);
}
