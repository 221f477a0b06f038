import type { BatchHandler, Handler, Outbox } from '@surge/messaging';
import type { Database } from '../../db/schema.ts';
import { EVENT_SOURCE } from '../../context.ts';
import type { SaleStock } from '../flash-sales/sale-stock.ts';
import { OrderConfirmed, OrderPlaced, OrderRejected } from './order-events.ts';
import type { OrdersRepo, PlacedOrder, StoredOrder } from './orders-repo.ts';

/**
 * order-writer: turns each `order.placed` into an order row (docs/architecture.md, the order
 * pipeline, step 5). First the reservation is confirmed in Redis — refused if it was released
 * (placement gave up on it) — then one MySQL transaction applies the `sold` guard, inserts the
 * row and adds `order.confirmed` / `order.rejected` to the outbox. A rejected order's units go
 * back to Redis after the commit; a redelivery finds the row, writes nothing, and repeats only
 * that release (idempotent), so a crash between commit and release loses no units.
 * Redis or MySQL down: the error is transient, the router retries without committing (G2).
 *
 * `handleBatch` (a partition that is behind): the same for several orders in one transaction —
 * rows already there are skipped (a rejected one's release repeated), the rest confirmed in
 * Redis, then per sale one guard for the sum of its units, one multi-row insert and their
 * events. When a guard refuses the sum or a row appeared meanwhile, the transaction rolls back
 * and the orders are stored one by one, in offset order, by the one-order path, which decides
 * each (the confirms already done are idempotent).
 */
export function orderWriter(deps: {
  orders: OrdersRepo;
  stock: SaleStock;
  outbox: Outbox;
  topic: (base: string) => string;
}): { handle: Handler; handleBatch: BatchHandler } {
  const { orders, stock, outbox, topic } = deps;

  const refOf = (order: PlacedOrder) => ({
    orderId: order.orderId,
    saleId: order.saleId,
    userId: order.userId,
    quantity: order.quantity,
  });
  const metaOf = (order: PlacedOrder, headers: Record<string, string>) => ({
    key: order.orderId,
    subject: order.orderId,
    source: EVENT_SOURCE,
    headers,
  });
  const eventOf = ({ order, result }: StoredOrder, headers: Record<string, string>) =>
    result.kind === 'confirmed'
      ? OrderConfirmed.create(refOf(order), metaOf(order, headers))
      : OrderRejected.create({ ...refOf(order), reason: result.reason }, metaOf(order, headers));

  async function writeOne(order: PlacedOrder, headers: Record<string, string>): Promise<void> {
    const existing = await orders.statusOf(order.orderId);
    if (existing !== undefined) {
      if (existing === 'rejected') await stock.release(order.saleId, order.orderId);
      return;
    }
    // `unknown`: Redis no longer has the reservation (lost and rebuilt): MySQL's guard decides.
    const reservation = await stock.confirm(order.saleId, order.orderId);
    const result = await orders.store(order, { released: reservation === 'released' }, (trx, stored) =>
      outbox.add<Database>(trx, topic(OrderConfirmed.topic), eventOf({ order, result: stored }, headers)),
    );
    if (result.kind !== 'duplicate') outbox.notify();
    if (result.kind === 'rejected' && result.reason === 'SOLD_OUT') {
      await stock.release(order.saleId, order.orderId);
    }
    if (result.kind === 'duplicate' && (await orders.statusOf(order.orderId)) === 'rejected') {
      await stock.release(order.saleId, order.orderId);
    }
  }

  const handle: Handler = async (delivery) => {
    if (delivery.type !== OrderPlaced.type) return;
    await writeOne(OrderPlaced.parse(delivery.data), delivery.headers);
  };

  const handleBatch: BatchHandler = async (deliveries) => {
    // The first event of each order (a replay in the same batch is a redelivery: a no-op).
    const placed = new Map<string, { order: PlacedOrder; headers: Record<string, string> }>();
    for (const d of deliveries) {
      if (d.type !== OrderPlaced.type) continue;
      const order = OrderPlaced.parse(d.data);
      if (!placed.has(order.orderId)) placed.set(order.orderId, { order, headers: d.headers });
    }
    const existing = await orders.statusesOf([...placed.keys()]);
    for (const [orderId, status] of existing) {
      const { order } = placed.get(orderId) ?? {};
      if (order && status === 'rejected') await stock.release(order.saleId, orderId);
      placed.delete(orderId);
    }
    if (placed.size === 0) return;
    const fresh = [...placed.values()];
    const confirmed = await Promise.all(fresh.map(({ order }) => stock.confirm(order.saleId, order.orderId)));
    const headersOf = new Map(fresh.map((p) => [p.order.orderId, p.headers]));
    const result = await orders.storeMany(
      fresh.map(({ order }, i) => ({ order, released: confirmed[i] === 'released' })),
      (trx, stored) =>
        outbox.add<Database>(
          trx,
          topic(OrderConfirmed.topic),
          stored.map((o) => eventOf(o, headersOf.get(o.order.orderId) ?? {})),
        ),
    );
    if (result.kind === 'stored') {
      outbox.notify();
      return;
    }
    // A guard refused the batch's sum, or a row appeared: each order on its own, in order.
    for (const { order, headers } of fresh) await writeOne(order, headers);
  };

  return { handle, handleBatch };
}
