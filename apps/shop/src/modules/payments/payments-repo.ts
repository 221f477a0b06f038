import type { Kysely, Transaction } from 'kysely';
import type { Database, PaymentStatus } from '../../db/schema.ts';

export interface CapturedCharge {
  chargeId: string;
  orderId: string;
  userId: string;
  amountCents: number;
  currency: string;
}

/** How recording a succeeded charge ended. */
export type RecordResult =
  /** The order went `confirmed → paid` with this charge (now, or by an earlier attempt). */
  | { kind: 'paid'; paidAt: Date }
  /** The order was no longer payable (cancelled, or paid by another charge): refund this charge. */
  | { kind: 'refund-needed' };

const isDuplicateKey = (e: unknown) => (e as { code?: unknown } | null)?.code === 'ER_DUP_ENTRY';

export function createPaymentsRepo(db: Kysely<Database>) {
  return {
    /**
     * Records a charge the gateway captured, in one transaction: the payment row (PK = charge id:
     * the same charge recorded twice — a retry that got the replayed answer — finds its row and
     * changes nothing) and the conditional `confirmed → paid` update of its order, so a payment
     * racing the payment deadline ends in exactly one state. `onPaid` adds `order.paid` to the
     * outbox in the same transaction. Not payable any more → the row is `refund_pending`.
     */
    async recordCharge(
      charge: CapturedCharge,
      onPaid: (trx: Transaction<Database>, paidAt: Date) => Promise<void>,
    ): Promise<RecordResult> {
      try {
        return await db.transaction().execute(async (trx) => {
          const now = new Date();
          await trx
            .insertInto('payments')
            .values({
              charge_id: charge.chargeId,
              order_id: charge.orderId,
              user_id: charge.userId,
              amount_cents: charge.amountCents,
              currency: charge.currency,
              status: 'captured',
              refund_id: null,
              created_at: now,
              updated_at: now,
            })
            .execute();
          const paid = await trx
            .updateTable('orders')
            .set({ status: 'paid', updated_at: now })
            .where('id', '=', charge.orderId)
            .where('status', '=', 'confirmed')
            .executeTakeFirst();
          if (Number(paid.numUpdatedRows) === 1) {
            await onPaid(trx, now);
            return { kind: 'paid', paidAt: now } as const;
          }
          await trx
            .updateTable('payments')
            .set({ status: 'refund_pending', updated_at: now })
            .where('charge_id', '=', charge.chargeId)
            .execute();
          return { kind: 'refund-needed' } as const;
        });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const row = await db
          .selectFrom('payments')
          .select(['status', 'created_at'])
          .where('charge_id', '=', charge.chargeId)
          .executeTakeFirstOrThrow();
        return row.status === 'captured'
          ? { kind: 'paid', paidAt: row.created_at }
          : { kind: 'refund-needed' };
      }
    },

    /**
     * Records a charge refunded after its order was cancelled, whether or not payment had recorded
     * it (the request may have died between the charge and its record). Idempotent.
     */
    async recordRefunded(charge: CapturedCharge, refundId: string): Promise<void> {
      const now = new Date();
      await db
        .insertInto('payments')
        .values({
          charge_id: charge.chargeId,
          order_id: charge.orderId,
          user_id: charge.userId,
          amount_cents: charge.amountCents,
          currency: charge.currency,
          status: 'refunded',
          refund_id: refundId,
          created_at: now,
          updated_at: now,
        })
        .onDuplicateKeyUpdate({ status: 'refunded', refund_id: refundId, updated_at: now })
        .execute();
    },

    async markRefunded(chargeId: string, refundId: string): Promise<void> {
      await db
        .updateTable('payments')
        .set({ status: 'refunded', refund_id: refundId, updated_at: new Date() })
        .where('charge_id', '=', chargeId)
        .where('status', '=', 'refund_pending')
        .execute();
    },

    /** Charges still to refund whose last change is older than `olderThanMs` (the refunder job). */
    async refundsPending(olderThanMs: number, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('payments')
        .select('charge_id')
        .where('status', '=', 'refund_pending')
        .where('updated_at', '<', new Date(Date.now() - olderThanMs))
        .orderBy('updated_at')
        .limit(limit)
        .execute();
      return rows.map((r) => r.charge_id);
    },

    async paymentsOf(
      orderId: string,
    ): Promise<Array<{ chargeId: string; status: PaymentStatus; amountCents: number }>> {
      const rows = await db
        .selectFrom('payments')
        .select(['charge_id', 'status', 'amount_cents'])
        .where('order_id', '=', orderId)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({
        chargeId: r.charge_id,
        status: r.status,
        amountCents: Number(r.amount_cents),
      }));
    },
  };
}

export type PaymentsRepo = ReturnType<typeof createPaymentsRepo>;
