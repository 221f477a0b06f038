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

const isDuplicateKey = (e: unknown) => (e as { code?: unknown } | null)?.code === 'ER_DUP_ENTRY';

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
          const now = new Date();
          await trx
            .insertInto('orders')
            .values({
              id: order.orderId,
              user_id: order.userId,
              sale_id: order.saleId,
              quantity: order.quantity,
              price_cents: order.priceCents,
              status: result.kind,
              reject_reason: result.kind === 'rejected' ? result.reason : null,
              placed_at: new Date(order.placedAt),
              created_at: now,
              updated_at: now,
            })
            .execute();
          await inTransaction(trx, result);
          return result;
        });
      } catch (err) {
        if (isDuplicateKey(err)) return { kind: 'duplicate' };
        throw err;
      }
    },
  };
}

export type OrdersRepo = ReturnType<typeof createOrdersRepo>;
