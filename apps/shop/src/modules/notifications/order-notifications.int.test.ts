import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Delivery, Message } from '@surge/messaging';
import { startTestApp, type TestApp } from '../../testing/test-app.ts';
import { OrderCancelled } from '../deadlines/deadline-events.ts';
import { OrderConfirmed, OrderPlaced, OrderRejected } from '../orders/order-events.ts';
import { OrderPaid } from '../payments/payment-events.ts';
import { orderNotifications } from './order-notifications.ts';

const NEVER = new AbortController().signal;
const deliver = (m: Message, attempt = 1): Delivery => ({
  ...m,
  topic: 'surge.orders.v1',
  partition: 0,
  offset: '0',
  timestamp: Date.now(),
  deliveryAttempt: attempt,
});

describe('order notifications: one per order event, none twice', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('tells the buyer about confirmed, rejected, paid and cancelled orders; ignores the rest; redeliveries add nothing', async () => {
    const userId = randomUUID();
    const handle = orderNotifications(t.features.notifications.repo, { paymentWindowMs: 600_000 });
    const ref = { orderId: randomUUID(), saleId: randomUUID(), userId, quantity: 2 };
    const meta = { key: ref.orderId, source: '/test' };
    const events = [
      OrderConfirmed.create(ref, meta),
      OrderRejected.create({ ...ref, reason: 'SOLD_OUT' }, meta),
      OrderPaid.create(
        { ...ref, amountCents: 2_500, currency: 'usd', chargeId: 'ch_1', paidAt: new Date().toISOString() },
        meta,
      ),
      OrderCancelled.create(
        { ...ref, reason: 'PAYMENT_TIMEOUT', cancelledAt: new Date().toISOString() },
        meta,
      ),
    ];
    for (const e of events) await handle(deliver(e), NEVER);
    for (const e of events) await handle(deliver(e, 2), NEVER);
    await handle(
      deliver(OrderPlaced.create({ ...ref, priceCents: 1, placedAt: new Date().toISOString() }, meta)),
      NEVER,
    );
    const mine = await t.features.notifications.repo.listForUser(userId, { limit: 10 });
    assert.deepEqual(mine.map((n) => n.kind).sort(), [
      'order.cancelled',
      'order.confirmed',
      'order.paid',
      'order.rejected',
    ]);
    const text = Object.fromEntries(mine.map((n) => [n.kind, n.body]));
    assert.match(text['order.confirmed'] ?? '', /2 units is confirmed\. Pay within 10 min/);
    assert.match(text['order.paid'] ?? '', /\$25\.00/);
    assert.match(text['order.rejected'] ?? '', /sold out/);
  });
});
