import type { Handler } from '@surge/messaging';
import { OrderPaid } from '../payments/payment-events.ts';
import type { LeaderboardStore } from './leaderboard-store.ts';
import type { LeaderboardsRepo } from './leaderboards-repo.ts';

/**
 * leaderboards: counts each `order.paid` on the boards once (the order is the dedupe key, marked
 * in the same Redis script as the increments). A sale MySQL does not know counts for the buyer
 * only. Redis or MySQL down: transient, retried.
 */
export function leaderboardConsumer(store: LeaderboardStore, repo: LeaderboardsRepo): Handler {
  return async (delivery) => {
    if (delivery.type !== OrderPaid.type) return;
    const o = OrderPaid.parse(delivery.data);
    await store.count({
      orderId: o.orderId,
      productId: await repo.productOf(o.saleId),
      userId: o.userId,
      quantity: o.quantity,
      amountCents: o.amountCents,
      paidAtMs: Date.parse(o.paidAt),
    });
  };
}
