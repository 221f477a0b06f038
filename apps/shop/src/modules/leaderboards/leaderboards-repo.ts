import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../../db/schema.ts';
import type { PaidOrder } from './leaderboard-store.ts';

/** What the leaderboards read from MySQL: the product of a sale, names, and every paid order (rebuild). */
export function createLeaderboardsRepo(db: Kysely<Database>) {
  // A sale's product never changes: remembered per process.
  const productOfSale = new LRUCache<string, string>({ max: 10_000 });
  return {
    async productOf(saleId: string): Promise<string | undefined> {
      const known = productOfSale.get(saleId);
      if (known) return known;
      const row = await db
        .selectFrom('flash_sales')
        .select('product_id')
        .where('id', '=', saleId)
        .executeTakeFirst();
      if (row) productOfSale.set(saleId, row.product_id);
      return row?.product_id;
    },

    async productNames(ids: readonly string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await db.selectFrom('products').select(['id', 'name']).where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    async displayNames(ids: readonly string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom('users')
        .select(['id', 'display_name'])
        .where('id', 'in', ids)
        .execute();
      return new Map(rows.map((r) => [r.id, r.display_name]));
    },

    /** Every paid order with what the boards count, in pages of 1,000 (the rebuild). */
    async *paidOrders(): AsyncIterable<PaidOrder> {
      let after = '';
      for (;;) {
        const rows = await db
          .selectFrom('orders')
          .innerJoin('flash_sales', 'flash_sales.id', 'orders.sale_id')
          .innerJoin('payments', (j) =>
            j.onRef('payments.order_id', '=', 'orders.id').on('payments.status', '=', 'captured'),
          )
          .select([
            'orders.id as id',
            'orders.user_id as user_id',
            'orders.quantity as quantity',
            'flash_sales.product_id as product_id',
            'payments.amount_cents as amount_cents',
            'payments.created_at as paid_at',
          ])
          .where('orders.status', '=', 'paid')
          .where('orders.id', '>', after)
          .orderBy('orders.id')
          .limit(1_000)
          .execute();
        for (const r of rows) {
          yield {
            orderId: r.id,
            productId: r.product_id,
            userId: r.user_id,
            quantity: Number(r.quantity),
            amountCents: Number(r.amount_cents),
            paidAtMs: r.paid_at.getTime(),
          };
        }
        const last = rows.at(-1);
        if (!last || rows.length < 1_000) return;
        after = last.id;
      }
    },
  };
}

export type LeaderboardsRepo = ReturnType<typeof createLeaderboardsRepo>;
