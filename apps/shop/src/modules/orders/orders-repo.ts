import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, OrderStatus, OrdersTable } from '../../db/schema.ts';

export interface Order {
  orderId: string;
  userId: string;
  saleId: string;
  quantity: number;
  priceCents: number;
  status: OrderStatus | 'pending';
  createdAt: string;
  updatedAt: string;
}

export interface PlacedOrder {
  orderId: string;
  userId: string;
  saleId: string;
  quantity: number;
  priceCents: number;
  placedAt: string;
}

/** How storing a placed order ended. */
export type StoreResult =
  | { kind: 'confirmed' }
  | { kind: 'rejected'; reason: 'RELEASED' | 'SOLD_OUT' }
  /** The row was there already (a redelivery): nothing written. */
  | { kind: 'duplicate' };

const toOrder = (r: Selectable<OrdersTable>): Order => ({
  orderId: r.id,
  userId: r.user_id,
  saleId: r.sale_id,
  quantity: Number(r.quantity),
  priceCents: Number(r.price_cents),
  status: r.status,
  createdAt: r.placed_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** An order of a batch and how storing it ended (`storeMany`). */
export interface StoredOrder {
  order: PlacedOrder;
  result: Exclude<StoreResult, { kind: 'duplicate' }>;
}

/** How storing a batch ended: all of it, or nothing (then store the orders one by one). */
export type StoreManyResult =
  | { kind: 'stored'; orders: StoredOrder[] }
  /** Rolled back: a sale's guard refused the batch's units, or one of its rows exists already. */
  | { kind: 'refused'; reason: 'SOLD_OUT' | 'DUPLICATE' };

const isDuplicateKey = (e: unknown) => (e as { code?: unknown } | null)?.code === 'ER_DUP_ENTRY';

/** Rolls `storeMany`'s transaction back when a guard refuses. */
class GuardRefused extends Error {}

const ROWS_PER_INSERT = 500;

const orderRow = (stored: StoredOrder, now: Date) => ({
  id: stored.order.orderId,
  user_id: stored.order.userId,
  sale_id: stored.order.saleId,
  quantity: stored.order.quantity,
  price_cents: stored.order.priceCents,
  status: stored.result.kind,
  reject_reason: stored.result.kind === 'rejected' ? stored.result.reason : null,
  placed_at: new Date(stored.order.placedAt),
  created_at: now,
  updated_at: now,
});

export function createOrdersRepo(db: Kysely<Database>) {
  return {
    async findById(orderId: string): Promise<Order | undefined> {
      const row = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
      return row && toOrder(row);
    },

    /** A user's orders, newest first (ids are UUIDv7), before `beforeId` when given. */
    async listForUser(
      userId: string,
      opts: { limit: number; beforeId: string | undefined },
    ): Promise<Order[]> {
      let q = db.selectFrom('orders').selectAll().where('user_id', '=', userId);
      if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
      const rows = await q.orderBy('id', 'desc').limit(opts.limit).execute();
      return rows.map(toOrder);
    },

    /** Orders of a sale that hold units (confirmed or paid): what rebuild-stock puts back into Redis. */
    async liveOf(saleId: string): Promise<Array<{ orderId: string; userId: string; quantity: number }>> {
      const rows = await db
        .selectFrom('orders')
        .select(['id', 'user_id', 'quantity'])
        .where('sale_id', '=', saleId)
        .where('status', 'in', ['confirmed', 'paid'])
        .execute();
      return rows.map((r) => ({ orderId: r.id, userId: r.user_id, quantity: Number(r.quantity) }));
    },

    async statusOf(orderId: string): Promise<OrderStatus | undefined> {
      const row = await db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirst();
      return row?.status;
    },

    /**
     * Stores a placed order in one transaction: the guarded `sold` increment (it cannot pass the
     * stock: G1 in MySQL) and the row, `confirmed` when the guard passes, `rejected` otherwise or
     * when `released` (its reservation was released first, so it takes nothing). `inTransaction`
     * adds the order's event to the outbox in the same transaction. The primary key is the
     * orderId: a second store of the same order fails on it and rolls back everything, so `sold`
     * moves once per order (G6).
     */
    async store(
      order: PlacedOrder,
      opts: { released: boolean },
      inTransaction: (
        trx: Transaction<Database>,
        result: Exclude<StoreResult, { kind: 'duplicate' }>,
      ) => Promise<void>,
    ): Promise<StoreResult> {
      try {
        return await db.transaction().execute(async (trx) => {
          let result: Exclude<StoreResult, { kind: 'duplicate' }> = { kind: 'rejected', reason: 'RELEASED' };
          if (!opts.released) {
            const guard = await sql`
              UPDATE flash_sales SET sold = sold + ${order.quantity}, updated_at = NOW(3)
              WHERE id = ${order.saleId} AND sold + ${order.quantity} <= stock
            `.execute(trx);
            result =
              Number(guard.numAffectedRows ?? 0) === 1
                ? { kind: 'confirmed' }
                : { kind: 'rejected', reason: 'SOLD_OUT' };
          }
          await trx.insertInto('orders').values(orderRow({ order, result }, new Date())).execute();
          await inTransaction(trx, result);
          return result;
        });
      } catch (err) {
        if (isDuplicateKey(err)) return { kind: 'duplicate' };
        throw err;
      }
    },

    /** Of `orderIds`, those that have a row, with its status (one query). */
    async statusesOf(orderIds: readonly string[]): Promise<Map<string, OrderStatus>> {
      if (orderIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('orders')
        .select(['id', 'status'])
        .where('id', 'in', orderIds)
        .execute();
      return new Map(rows.map((r) => [r.id, r.status]));
    },

    /**
     * Stores several placed orders (distinct orderIds) in one transaction, all or nothing: per
     * sale, one guarded `sold` increment by the sum of its orders' units (sales in id order, so
     * concurrent batches lock them in the same order); one multi-row insert; `inTransaction`
     * adds their events. Orders `released` are stored `rejected` and take nothing. When a sale's
     * guard refuses its sum, or a row exists already, everything rolls back and the answer is
     * `refused`: the caller then stores the orders one by one (`store`), which decides each.
     */
    async storeMany(
      items: ReadonlyArray<{ order: PlacedOrder; released: boolean }>,
      inTransaction: (trx: Transaction<Database>, stored: readonly StoredOrder[]) => Promise<void>,
    ): Promise<StoreManyResult> {
      const units = new Map<string, number>();
      for (const { order, released } of items) {
        if (!released) units.set(order.saleId, (units.get(order.saleId) ?? 0) + order.quantity);
      }
      const stored: StoredOrder[] = items.map(({ order, released }) => ({
        order,
        result: released ? { kind: 'rejected', reason: 'RELEASED' } : { kind: 'confirmed' },
      }));
      try {
        await db.transaction().execute(async (trx) => {
          for (const saleId of [...units.keys()].sort()) {
            const quantity = units.get(saleId) ?? 0;
            const guard = await sql`
              UPDATE flash_sales SET sold = sold + ${quantity}, updated_at = NOW(3)
              WHERE id = ${saleId} AND sold + ${quantity} <= stock
            `.execute(trx);
            if (Number(guard.numAffectedRows ?? 0) !== 1) throw new GuardRefused();
          }
          const now = new Date();
          for (let i = 0; i < stored.length; i += ROWS_PER_INSERT) {
            await trx
              .insertInto('orders')
              .values(stored.slice(i, i + ROWS_PER_INSERT).map((o) => orderRow(o, now)))
              .execute();
          }
          await inTransaction(trx, stored);
        });
        return { kind: 'stored', orders: stored };
      } catch (err) {
        if (err instanceof GuardRefused) return { kind: 'refused', reason: 'SOLD_OUT' };
        if (isDuplicateKey(err)) return { kind: 'refused', reason: 'DUPLICATE' };
        throw err;
      }
    },
  };
}

export type OrdersRepo = ReturnType<typeof createOrdersRepo>;
