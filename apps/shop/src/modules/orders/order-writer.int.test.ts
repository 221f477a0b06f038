import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { EVENT_SOURCE } from '../../context.ts';
import { eventually } from '@surge/test-support';
import { startTestApp, type TestApp } from '../../testing/test-app.ts';
import { saleKeys } from '../flash-sales/sale-stock.ts';
import type { Delivery } from '@surge/messaging';
import { ORDERS_TOPIC, OrderPlaced } from './order-events.ts';
import { orderWriter } from './order-writer.ts';
import { createOrdersRepo, type OrdersRepo } from './orders-repo.ts';

describe('order-writer: order.placed → an order row behind the MySQL stock guard', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let productId: string;
  const sales: string[] = [];
  before(async () => {
    t = await startTestApp({}, { workers: true });
    admin = { authorization: `Bearer ${await t.token('admin', uuidv7())}` };
    const product = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/products',
      payload: { name: 'Writer test', priceCents: 1_000 },
      headers: admin,
    });
    productId = product.json<{ id: string }>().id;
  });
  after(async () => {
    const keys = sales.flatMap((id) => Object.values(saleKeys(id)));
    if (keys.length > 0) await t.ctx.redis.unlink(...keys);
    await t.close();
  });

  async function openSale(stock: number) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/flash-sales',
      headers: admin,
      payload: {
        productId,
        stock,
        priceCents: 500,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        perUserLimit: 10,
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json<{ id: string }>().id;
    sales.push(id);
    return id;
  }

  /** What placement does: reserve, publish order.placed (acked), mark the reservation published. */
  async function place(saleId: string, quantity: number) {
    const order = { orderId: uuidv7(), saleId, userId: randomUUID(), quantity };
    assert.equal((await t.features.flashSales.stock.reserve(saleId, order)).kind, 'reserved');
    await publish(order);
    await t.features.flashSales.stock.markPublished(saleId, order.orderId);
    return order;
  }

  /** A new event for the order each time: a producer retry or a replay carries a new ce_id. */
  const publish = (order: { orderId: string; saleId: string; userId: string; quantity: number }) =>
    t.ctx.publisher.publish(t.ctx.topic(ORDERS_TOPIC), [
      OrderPlaced.create(
        { ...order, priceCents: 500, placedAt: new Date().toISOString() },
        { key: order.orderId, subject: order.orderId, source: EVENT_SOURCE },
      ),
    ]);

  const rowOf = (orderId: string) =>
    t.ctx.db
      .selectFrom('orders')
      .select(['status', 'reject_reason', 'quantity'])
      .where('id', '=', orderId)
      .executeTakeFirst();
  const soldOf = async (saleId: string) =>
    Number(
      (
        await t.ctx.db
          .selectFrom('flash_sales')
          .select('sold')
          .where('id', '=', saleId)
          .executeTakeFirstOrThrow()
      ).sold,
    );
  const reservationOf = async (saleId: string, orderId: string) =>
    (await t.ctx.redis.hget(saleKeys(saleId).orders, orderId))?.split('|')[0];

  it('writes a confirmed order once, counts its units in sold, and confirms the reservation', async () => {
    const saleId = await openSale(10);
    const order = await place(saleId, 3);
    const row = await eventually('the order row', () => rowOf(order.orderId));
    assert.deepEqual(row, { status: 'confirmed', reject_reason: null, quantity: 3 });
    assert.equal(await soldOf(saleId), 3);
    assert.equal(await reservationOf(saleId, order.orderId), 'confirmed');
    // The same order again (a new event id, as a replay or producer retry would carry): nothing changes.
    await publish(order);
    const marker = await place(saleId, 1); // processed after the duplicate on its partition, or on another
    await eventually('the marker order', () => rowOf(marker.orderId));
    await sleep(500);
    const count = await t.ctx.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', '=', order.orderId)
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1);
    assert.equal(await soldOf(saleId), 4, '3 + the marker’s 1: the duplicate counted nothing');
    const events = await t.ctx.db
      .selectFrom('outbox')
      .select('type')
      .where('msg_key', '=', order.orderId)
      .execute();
    assert.deepEqual(events, [{ type: 'surge.order.confirmed.v1' }]);
  });

  it('rejects an order whose reservation was released first, taking nothing', async () => {
    const saleId = await openSale(5);
    // Placement reserved, its publish timed out, it released — and the event still arrived.
    const order = { orderId: uuidv7(), saleId, userId: randomUUID(), quantity: 2 };
    assert.equal((await t.features.flashSales.stock.reserve(saleId, order)).kind, 'reserved');
    assert.equal((await t.features.flashSales.stock.release(saleId, order.orderId)).kind, 'released');
    await publish(order);
    const row = await eventually('the order row', () => rowOf(order.orderId));
    assert.deepEqual(row, { status: 'rejected', reject_reason: 'RELEASED', quantity: 2 });
    assert.equal(await soldOf(saleId), 0);
    assert.equal(await t.features.flashSales.stock.remaining(saleId), 5);
  });

  it('rejects an order MySQL’s guard refuses and returns its units to Redis (G1 in MySQL)', async () => {
    const saleId = await openSale(4);
    // MySQL already counts every unit (as if Redis had been rebuilt with too many): the guard must hold.
    await t.ctx.db.updateTable('flash_sales').set({ sold: 4 }).where('id', '=', saleId).execute();
    const order = await place(saleId, 1);
    const row = await eventually('the order row', () => rowOf(order.orderId));
    assert.deepEqual(row, { status: 'rejected', reject_reason: 'SOLD_OUT', quantity: 1 });
    assert.equal(await soldOf(saleId), 4, 'sold never passes stock');
    await eventually('the units back in Redis', async () =>
      (await reservationOf(saleId, order.orderId)) === 'released' ? true : undefined,
    );
    assert.equal(await t.features.flashSales.stock.remaining(saleId), 4);
    const events = await t.ctx.db
      .selectFrom('outbox')
      .select('type')
      .where('msg_key', '=', order.orderId)
      .execute();
    assert.deepEqual(events, [{ type: 'surge.order.rejected.v1' }]);
  });

  it('never counts more units than the stock when many orders race for the last ones', async () => {
    const saleId = await openSale(20);
    await t.ctx.db.updateTable('flash_sales').set({ sold: 15 }).where('id', '=', saleId).execute();
    const orders = await Promise.all(Array.from({ length: 12 }, () => place(saleId, 1)));
    const rows = await eventually('every order row', async () => {
      const found = await Promise.all(orders.map((o) => rowOf(o.orderId)));
      return found.every((r) => r !== undefined) ? found : undefined;
    });
    const confirmed = rows.filter((r) => r?.status === 'confirmed').length;
    assert.equal(confirmed, 5, 'exactly the 5 units MySQL had left');
    assert.equal(await soldOf(saleId), 20);
  });

  // The batch path (a partition behind): called directly with the deliveries a lane would hand over.
  const writerWith = (orders: OrdersRepo = createOrdersRepo(t.ctx.db)) =>
    orderWriter({ orders, stock: t.features.flashSales.stock, outbox: t.ctx.outbox, topic: t.ctx.topic });
  const asDelivery = (
    order: { orderId: string; saleId: string; userId: string; quantity: number },
    offset: number,
  ) =>
    ({
      ...OrderPlaced.create(
        { ...order, priceCents: 500, placedAt: new Date().toISOString() },
        { key: order.orderId, subject: order.orderId, source: EVENT_SOURCE },
      ),
      topic: t.ctx.topic(ORDERS_TOPIC),
      partition: 0,
      offset: String(offset),
      timestamp: Date.now(),
      deliveryAttempt: 1,
    }) satisfies Delivery;
  const reserved = async (saleId: string, quantity: number) => {
    const order = { orderId: uuidv7(), saleId, userId: randomUUID(), quantity };
    assert.equal((await t.features.flashSales.stock.reserve(saleId, order)).kind, 'reserved');
    return order;
  };
  const eventsOf = async (orderIds: string[]) =>
    (
      await t.ctx.db
        .selectFrom('outbox')
        .select(['msg_key', 'type'])
        .where('msg_key', 'in', orderIds)
        .orderBy('msg_key')
        .execute()
    ).map((e) => `${e.msg_key} ${e.type.replace('surge.order.', '')}`);

  it('batch: stores a mixed batch in one go — new, already stored, replayed and released orders — each once', async () => {
    const saleId = await openSale(10);
    const writer = writerWith();
    const stored = await reserved(saleId, 1);
    await writer.handle(asDelivery(stored, 0), new AbortController().signal);
    const fresh = await reserved(saleId, 2);
    const released = await reserved(saleId, 3);
    assert.equal((await t.features.flashSales.stock.release(saleId, released.orderId)).kind, 'released');
    const batch = [
      asDelivery(stored, 1),
      asDelivery(fresh, 2),
      asDelivery(released, 3),
      asDelivery(fresh, 4),
    ];
    // Counts the one-order stores: the batch must go through storeMany, in one transaction.
    const repo = createOrdersRepo(t.ctx.db);
    let singles = 0;
    const counting: OrdersRepo = { ...repo, store: (...a) => (singles++, repo.store(...a)) };
    await writerWith(counting).handleBatch(batch, new AbortController().signal);
    assert.equal(singles, 0, 'no order of the batch was stored on its own');

    assert.deepEqual(await rowOf(stored.orderId), { status: 'confirmed', reject_reason: null, quantity: 1 });
    assert.deepEqual(await rowOf(fresh.orderId), { status: 'confirmed', reject_reason: null, quantity: 2 });
    assert.deepEqual(await rowOf(released.orderId), {
      status: 'rejected',
      reject_reason: 'RELEASED',
      quantity: 3,
    });
    assert.equal(await soldOf(saleId), 3, '1 + 2: the released order takes nothing, the replay nothing more');
    assert.equal(await reservationOf(saleId, fresh.orderId), 'confirmed');
    assert.equal(await t.features.flashSales.stock.remaining(saleId), 7, 'G3: 10 − 3 live units');
    const ids = [stored.orderId, fresh.orderId, released.orderId];
    const events = await eventsOf(ids);
    assert.equal(events.length, 3, `one event per order: ${events.join('; ')}`);

    // The whole batch again (a redelivery after a crash before the commit of its offsets): a no-op.
    await writer.handleBatch(batch, new AbortController().signal);
    assert.equal(await soldOf(saleId), 3);
    assert.deepEqual(await eventsOf(ids), events);
    assert.equal(await t.features.flashSales.stock.remaining(saleId), 7);
  });

  it('batch: when a sale’s guard refuses the sum, decides order by order — the first fit, the rest rejected and returned', async () => {
    const saleId = await openSale(6);
    const writer = writerWith();
    const orders = [await reserved(saleId, 2), await reserved(saleId, 1), await reserved(saleId, 2)];
    // MySQL counts 3 units more than Redis knows (as after a rebuild with too many): 3 left in MySQL.
    await t.ctx.db.updateTable('flash_sales').set({ sold: 3 }).where('id', '=', saleId).execute();
    await writer.handleBatch(
      orders.map((o, i) => asDelivery(o, i)),
      new AbortController().signal,
    );
    const rows = await Promise.all(orders.map((o) => rowOf(o.orderId)));
    assert.deepEqual(rows, [
      { status: 'confirmed', reject_reason: null, quantity: 2 },
      { status: 'confirmed', reject_reason: null, quantity: 1 },
      { status: 'rejected', reject_reason: 'SOLD_OUT', quantity: 2 },
    ]);
    assert.equal(await soldOf(saleId), 6, 'G1 in MySQL: sold reaches the stock, never passes it');
    assert.equal(await reservationOf(saleId, orders[2]?.orderId ?? ''), 'released');
    // Redis: 6 − 5 reserved = 1, plus the rejected order's 2 returned.
    assert.equal(await t.features.flashSales.stock.remaining(saleId), 3);
    assert.equal((await eventsOf(orders.map((o) => o.orderId))).length, 3);
    // Redelivered: the rejected order's release is repeated (idempotent), nothing else moves.
    await writer.handleBatch(
      orders.map((o, i) => asDelivery(o, i)),
      new AbortController().signal,
    );
    assert.equal(await t.features.flashSales.stock.remaining(saleId), 3);
    assert.equal(await soldOf(saleId), 6);
  });

  it('batch: one batch of a duplicate, a valid, a released and a guard-failing order — each decided once', async () => {
    const saleId = await openSale(6);
    const writer = writerWith();
    const stored = await reserved(saleId, 1);
    await writer.handle(asDelivery(stored, 0), new AbortController().signal);
    const valid = await reserved(saleId, 1);
    const released = await reserved(saleId, 2);
    assert.equal((await t.features.flashSales.stock.release(saleId, released.orderId)).kind, 'released');
    const tooMany = await reserved(saleId, 2);
    // MySQL counts 3 units Redis does not know of: 2 left there, the batch's sum (1 + 2) does not fit.
    await t.ctx.db.updateTable('flash_sales').set({ sold: 4 }).where('id', '=', saleId).execute();
    const batch = [stored, valid, released, tooMany].map((o, i) => asDelivery(o, i + 1));
    await writer.handleBatch(batch, new AbortController().signal);

    assert.deepEqual(await rowOf(stored.orderId), { status: 'confirmed', reject_reason: null, quantity: 1 });
    assert.deepEqual(await rowOf(valid.orderId), { status: 'confirmed', reject_reason: null, quantity: 1 });
    assert.deepEqual(await rowOf(released.orderId), {
      status: 'rejected',
      reject_reason: 'RELEASED',
      quantity: 2,
    });
    assert.deepEqual(await rowOf(tooMany.orderId), {
      status: 'rejected',
      reject_reason: 'SOLD_OUT',
      quantity: 2,
    });
    assert.equal(await soldOf(saleId), 5, 'G1 in MySQL: 4 + the valid order’s 1');
    assert.equal(
      await reservationOf(saleId, tooMany.orderId),
      'released',
      'the refused order’s units went back',
    );
    // Redis: 6 − the two live orders' units (the released and the refused ones gave theirs back).
    assert.equal(await t.features.flashSales.stock.remaining(saleId), 4);
    const ids = [stored.orderId, valid.orderId, released.orderId, tooMany.orderId];
    assert.equal((await eventsOf(ids)).length, 4, 'one event per order');
    await writer.handleBatch(batch, new AbortController().signal);
    assert.equal(await soldOf(saleId), 5);
    assert.equal(
      await t.features.flashSales.stock.remaining(saleId),
      4,
      'a redelivery returns nothing twice',
    );
    assert.equal((await eventsOf(ids)).length, 4);
  });

  it('batch: a row that appears between the check and the insert rolls the batch back and the orders go one by one', async () => {
    const saleId = await openSale(10);
    const repo = createOrdersRepo(t.ctx.db);
    const first = await reserved(saleId, 1);
    await writerWith(repo).handle(asDelivery(first, 0), new AbortController().signal);
    // A repo whose existence check misses that row, as when another member wrote it meanwhile.
    const blind: OrdersRepo = { ...repo, statusesOf: () => Promise.resolve(new Map()) };
    const second = await reserved(saleId, 4);
    await writerWith(blind).handleBatch(
      [asDelivery(first, 1), asDelivery(second, 2)],
      new AbortController().signal,
    );
    assert.deepEqual(await rowOf(second.orderId), { status: 'confirmed', reject_reason: null, quantity: 4 });
    assert.equal(await soldOf(saleId), 5, 'the rolled-back batch counted nothing twice');
    assert.equal((await eventsOf([first.orderId, second.orderId])).length, 2);
  });
});
