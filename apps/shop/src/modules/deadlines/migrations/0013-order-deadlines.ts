import { sql, type Kysely } from 'kysely';

/**
 * Payment deadlines and the return of units:
 * - `orders.units_returned_at`: set once, in the transaction that gives a cancelled order's units
 *   back to `flash_sales.sold` — a redelivered `order.cancelled` finds it set and returns nothing;
 * - an index for the sweep of overdue confirmed orders (status, created_at);
 * - `job_fences`: the highest fencing token each locked job has written with; a holder whose
 *   token is lower (it lost the lock while paused) is refused.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE orders
      ADD COLUMN units_returned_at DATETIME(3) NULL,
      ADD KEY orders_by_status_created (status, created_at)
  `.execute(db);
  await sql`
    CREATE TABLE job_fences (
      name VARCHAR(64) NOT NULL PRIMARY KEY,
      token BIGINT UNSIGNED NOT NULL,
      updated_at DATETIME(3) NOT NULL
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE job_fences`.execute(db);
  await sql`ALTER TABLE orders DROP KEY orders_by_status_created, DROP COLUMN units_returned_at`.execute(db);
}
