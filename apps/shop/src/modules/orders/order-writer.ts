import type { Handler, Outbox } from '@surge/messaging';
import type { Database } from '../../db/schema.ts';
import { EVENT_SOURCE } from '../../context.ts';
import type { SaleStock } from '../flash-sales/sale-stock.ts';
import { OrderConfirmed, OrderPlaced, OrderRejected } from './order-events.ts';
import type { OrdersRepo } from './orders-repo.ts';

/**
 * order-writer: turns each `order.placed` into an order row (docs/architecture.md, the order
 * pipeline, step 5). First the reservation is confirmed in Redis — refused if it was released
 * (placement gave up on it) — then one MySQL transaction applies the `sold` guard, inserts the
 * row and adds `order.confirmed` / `order.rejected` to the outbox. A rejected order's units go
 * back to Redis after the commit; a redelivery finds the row, writes nothing, and repeats only
 * that release (idempotent), so a crash between commit and release loses no units.
 * Redis or MySQL down: the error is transient, the router retries without committing (G2).
 */
export function orderWriter(deps: {
  orders: OrdersRepo;
  stock: SaleStock;
  outbox: Outbox;
  topic: (base: string) => string;
}): Handler {
  const { orders, stock, outbox, topic } = deps;
  return async (delivery) => {
    if (delivery.type !== OrderPlaced.type) return;
    const order = OrderPlaced.parse(delivery.data);
    const existing = await orders.statusOf(order.orderId);
    if (existing !== undefined) {
      if (existing === 'rejected') await stock.release(order.saleId, order.orderId);
      return;
    }
    // `unknown`: Redis no longer has the reservation (lost and rebuilt): MySQL's guard decides.
    const reservation = await stock.confirm(order.saleId, order.orderId);
    const ref = {
      orderId: order.orderId,
      saleId: order.saleId,
      userId: order.userId,
      quantity: order.quantity,
    };
    const meta = {
      key: order.orderId,
      subject: order.orderId,
      source: EVENT_SOURCE,
      headers: delivery.headers,
    };
    const result = await orders.store(order, { released: reservation === 'released' }, (trx, stored) =>
      outbox.add<Database>(
        trx,
        topic(OrderConfirmed.topic),
        stored.kind === 'confirmed'
          ? OrderConfirmed.create(ref, meta)
          : OrderRejected.create({ ...ref, reason: stored.reason }, meta),
      ),
    );
    if (result.kind !== 'duplicate') outbox.notify();
    if (result.kind === 'rejected' && result.reason === 'SOLD_OUT') {
      await stock.release(order.saleId, order.orderId);
    }
    if (result.kind === 'duplicate' && (await orders.statusOf(order.orderId)) === 'rejected') {
      await stock.release(order.saleId, order.orderId);
    }
  };
}
