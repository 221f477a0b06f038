import type { Handler } from '@surge/messaging';
import { OrderCancelled } from '../deadlines/deadline-events.ts';
import { OrderConfirmed, OrderRejected } from '../orders/order-events.ts';
import { OrderPaid } from '../payments/payment-events.ts';
import type { NotificationsRepo } from './notifications-repo.ts';

const units = (n: number) => (n === 1 ? '1 unit' : `${n} units`);
const money = (cents: number, currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);

/**
 * What a buyer is told about each order: confirmed (with the time left to pay), rejected,
 * paid, cancelled. One row per event (its id is the event's), so a redelivery changes nothing.
 */
export function orderNotifications(repo: NotificationsRepo, opts: { paymentWindowMs: number }): Handler {
  const minutes = Math.max(1, Math.round(opts.paymentWindowMs / 60_000));
  return async (delivery) => {
    const base = { id: delivery.id, createdAt: delivery.time };
    switch (delivery.type) {
      case OrderConfirmed.type: {
        const o = OrderConfirmed.parse(delivery.data);
        return repo.addOnce({
          ...base,
          userId: o.userId,
          kind: 'order.confirmed',
          title: 'Order confirmed',
          body: `Your order of ${units(o.quantity)} is confirmed. Pay within ${minutes} min to keep it.`,
        });
      }
      case OrderRejected.type: {
        const o = OrderRejected.parse(delivery.data);
        return repo.addOnce({
          ...base,
          userId: o.userId,
          kind: 'order.rejected',
          title: 'Order not accepted',
          body:
            o.reason === 'SOLD_OUT'
              ? `The sale sold out before your order of ${units(o.quantity)} could be stored. Nothing was charged.`
              : `Your order of ${units(o.quantity)} could not be completed. Nothing was charged.`,
        });
      }
      case OrderPaid.type: {
        const o = OrderPaid.parse(delivery.data);
        return repo.addOnce({
          ...base,
          userId: o.userId,
          kind: 'order.paid',
          title: 'Payment received',
          body: `We received ${money(o.amountCents, o.currency)} for your order of ${units(o.quantity)}.`,
        });
      }
      case OrderCancelled.type: {
        const o = OrderCancelled.parse(delivery.data);
        return repo.addOnce({
          ...base,
          userId: o.userId,
          kind: 'order.cancelled',
          title: 'Order cancelled',
          body: `Your order of ${units(o.quantity)} was not paid in time and is cancelled; the units went back to the sale.`,
        });
      }
    }
  };
}
