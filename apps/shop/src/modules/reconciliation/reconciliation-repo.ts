import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** A sale as reconciliation needs it. */
export interface ReconciledSale {
  id: string;
  stock: number;
  sold: number;
}

/** MySQL reads of reconciliation. */
export function createReconciliationRepo(db: Kysely<Database>) {
  return {
    /** Sales that have started and have not been over for more than `endedWithinMs`, oldest first. */
    async activeSales(now: Date, endedWithinMs: number, limit = 1_000): Promise<ReconciledSale[]> {
      const rows = await db
        .selectFrom('flash_sales')
        .select(['id', 'stock', 'sold'])
        .where('starts_at', '<=', now)
        .where('ends_at', '>', new Date(now.getTime() - endedWithinMs))
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, stock: Number(r.stock), sold: Number(r.sold) }));
    },

    async sale(id: string): Promise<ReconciledSale | undefined> {
      const r = await db
        .selectFrom('flash_sales')
        .select(['id', 'stock', 'sold'])
        .where('id', '=', id)
        .executeTakeFirst();
      return r && { id: r.id, stock: Number(r.stock), sold: Number(r.sold) };
    },

    /** Which of `orderIds` MySQL has an order for, in any status. */
    async ordersThatExist(orderIds: readonly string[]): Promise<Set<string>> {
      if (orderIds.length === 0) return new Set();
      const rows = await db.selectFrom('orders').select('id').where('id', 'in', orderIds).execute();
      return new Set(rows.map((r) => r.id));
    },
  };
}

export type ReconciliationRepo = ReturnType<typeof createReconciliationRepo>;
