import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** The fencing token of the lock a job holds, and the name MySQL records it under. */
export interface Fence {
  name: string;
  token: number;
}

/** A newer holder of the job's lock has written already: this one lost its lock and must stop. */
export class StaleFenceError extends Error {
  override readonly name = 'StaleFenceError';
  readonly recorded: number;
  constructor(fence: Fence, recorded: number) {
    super(`fencing token ${fence.token} of ${fence.name} is below the recorded ${recorded}`);
    this.recorded = recorded;
  }
}

export const isStaleFenceError = (e: unknown): e is StaleFenceError =>
  e instanceof Error && e.name === 'StaleFenceError';

export interface CancelledOrder {
  orderId: string;
  saleId: string;
  userId: string;
  quantity: number;
  cancelledAt: Date;
}

export type CancelResult =
  | { kind: 'cancelled'; order: CancelledOrder }
  /** Still confirmed but not due yet (the schedule was early): due at `dueAtMs`. */
  | { kind: 'not-due'; dueAtMs: number }
  /** Paid, cancelled already, rejected — or no such order: nothing to do. */
  | { kind: 'not-confirmed' };

export type ReturnResult = 'returned' | 'already-returned' | 'not-cancelled';

/**
 * Refuses the write when a newer holder of the job's lock has written (its token is higher),
 * and records this token otherwise. Takes the fence row's lock: cancellations serialise on it.
 */
async function checkFence(trx: Transaction<Database>, fence: Fence) {
  const now = new Date();
  await sql`
    INSERT INTO job_fences (name, token, updated_at) VALUES (${fence.name}, ${fence.token}, ${now})
    ON DUPLICATE KEY UPDATE name = name
  `.execute(trx);
  const row = await trx
    .selectFrom('job_fences')
    .select('token')
    .where('name', '=', fence.name)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const recorded = Number(row.token);
  if (recorded > fence.token) throw new StaleFenceError(fence, recorded);
  if (recorded < fence.token) {
    await trx
      .updateTable('job_fences')
      .set({ token: fence.token, updated_at: now })
      .where('name', '=', fence.name)
      .execute();
  }
}

export function createCancellationsRepo(db: Kysely<Database>) {
  return {
    /**
     * Cancels `orderId` if it is still `confirmed` and was confirmed (stored) at or before
     * `confirmedBefore` — a conditional update, so a payment racing it ends in exactly one state —
     * with the fence checked in the same transaction; `onCancelled` adds `order.cancelled` to
     * the outbox there too.
     */
    async cancelIfUnpaid(
      orderId: string,
      opts: { confirmedBefore: Date; windowMs: number; fence: Fence },
      onCancelled: (trx: Transaction<Database>, order: CancelledOrder) => Promise<void>,
    ): Promise<CancelResult> {
      return db.transaction().execute(async (trx) => {
        await checkFence(trx, opts.fence);
        const row = await trx
          .selectFrom('orders')
          .select(['sale_id', 'user_id', 'quantity', 'status', 'created_at'])
          .where('id', '=', orderId)
          .executeTakeFirst();
        if (!row || row.status !== 'confirmed') return { kind: 'not-confirmed' } as const;
        if (row.created_at > opts.confirmedBefore) {
          return { kind: 'not-due', dueAtMs: row.created_at.getTime() + opts.windowMs } as const;
        }
        const cancelledAt = new Date();
        const updated = await trx
          .updateTable('orders')
          .set({ status: 'cancelled', updated_at: cancelledAt })
          .where('id', '=', orderId)
          .where('status', '=', 'confirmed')
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) return { kind: 'not-confirmed' } as const;
        const order: CancelledOrder = {
          orderId,
          saleId: row.sale_id,
          userId: row.user_id,
          quantity: Number(row.quantity),
          cancelledAt,
        };
        await onCancelled(trx, order);
        return { kind: 'cancelled', order } as const;
      });
    },

    /** Confirmed orders stored before `confirmedBefore`, oldest first: the sweep's work. */
    async overdue(confirmedBefore: Date, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('orders')
        .select('id')
        .where('status', '=', 'confirmed')
        .where('created_at', '<=', confirmedBefore)
        .orderBy('created_at')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },

    /**
     * Gives a cancelled order's units back to `flash_sales.sold`, once: `units_returned_at` is set
     * in the same transaction, so a redelivery returns nothing. The quantity and sale come from
     * the row, not from the event. `sold` never goes below zero (guarded; reported as drift).
     */
    async returnUnits(orderId: string): Promise<{ result: ReturnResult; drift?: boolean }> {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('orders')
          .select(['sale_id', 'quantity', 'status', 'units_returned_at'])
          .where('id', '=', orderId)
          .forUpdate()
          .executeTakeFirst();
        if (!row || row.status !== 'cancelled') return { result: 'not-cancelled' as const };
        if (row.units_returned_at !== null) return { result: 'already-returned' as const };
        const now = new Date();
        await trx.updateTable('orders').set({ units_returned_at: now }).where('id', '=', orderId).execute();
        const back = await sql`
          UPDATE flash_sales SET sold = sold - ${row.quantity}, updated_at = ${now}
          WHERE id = ${row.sale_id} AND sold >= ${row.quantity}
        `.execute(trx);
        return { result: 'returned' as const, drift: Number(back.numAffectedRows ?? 0) !== 1 };
      });
    },
  };
}

export type CancellationsRepo = ReturnType<typeof createCancellationsRepo>;
