import type { Kysely, Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Database, FlashSalesTable } from '../../db/schema.ts';

/** A sale as MySQL has it; `remaining` and `status` are added by the view (flash-sale-view.ts). */
export interface FlashSaleRecord {
  id: string;
  productId: string;
  stock: number;
  sold: number;
  priceCents: number;
  startsAt: string;
  endsAt: string;
  perUserLimit: number;
  version: number;
}

export interface NewFlashSale {
  productId: string;
  stock: number;
  priceCents: number;
  startsAt: Date;
  endsAt: Date;
  perUserLimit: number;
}

const columns = [
  'id',
  'product_id',
  'stock',
  'sold',
  'price_cents',
  'starts_at',
  'ends_at',
  'per_user_limit',
  'version',
] as const;

const toRecord = (r: Pick<FlashSalesTable, (typeof columns)[number]>): FlashSaleRecord => ({
  id: r.id,
  productId: r.product_id,
  stock: Number(r.stock),
  sold: Number(r.sold),
  priceCents: Number(r.price_cents),
  startsAt: r.starts_at.toISOString(),
  endsAt: r.ends_at.toISOString(),
  perUserLimit: Number(r.per_user_limit),
  version: Number(r.version),
});

export type SaleListStatus = 'active' | 'scheduled';

export function createFlashSalesRepo(db: Kysely<Database>) {
  return {
    async findById(id: string): Promise<FlashSaleRecord | undefined> {
      const row = await db.selectFrom('flash_sales').select(columns).where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },

    async create(trx: Transaction<Database>, input: NewFlashSale): Promise<FlashSaleRecord> {
      const now = new Date();
      const row = {
        id: uuidv7(),
        product_id: input.productId,
        stock: input.stock,
        sold: 0,
        price_cents: input.priceCents,
        starts_at: input.startsAt,
        ends_at: input.endsAt,
        per_user_limit: input.perUserLimit,
        version: 1,
        created_at: now,
        updated_at: now,
      };
      await trx.insertInto('flash_sales').values(row).execute();
      return toRecord(row);
    },

    /**
     * Sales by status at `now`, oldest id first (ids are UUIDv7: creation order), `limit + 1` rows
     * after the keyset position `afterId` (see http/pagination.ts).
     */
    async list(status: SaleListStatus, now: Date, afterId: string | undefined, limit: number) {
      let q = db.selectFrom('flash_sales').select(columns);
      q =
        status === 'scheduled'
          ? q.where('starts_at', '>', now)
          : q.where('starts_at', '<=', now).where('ends_at', '>', now);
      if (afterId !== undefined) q = q.where('id', '>', afterId);
      const rows = await q
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return rows.map(toRecord);
    },

    /** Sales that are open or open within `horizonMs`: the ones whose stock must be in Redis. */
    async upcoming(now: Date, horizonMs: number): Promise<FlashSaleRecord[]> {
      const rows = await db
        .selectFrom('flash_sales')
        .select(columns)
        .where('starts_at', '<=', new Date(now.getTime() + horizonMs))
        .where('ends_at', '>', now)
        .orderBy('id')
        .limit(1_000)
        .execute();
      return rows.map(toRecord);
    },
  };
}

export type FlashSalesRepo = ReturnType<typeof createFlashSalesRepo>;
