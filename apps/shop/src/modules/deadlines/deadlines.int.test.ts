import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Delivery } from '@surge/messaging';
import { startGateway, type RunningGateway } from '@surge/payment-gateway';
import { silentLog } from '@surge/resilience';
import { eventually } from '@surge/test-support';
import { waitForTopic } from '../../testing/kafka-topics.ts';
import { startTestApp, type TestApp } from '../../testing/test-app.ts';
import { createSaleStock } from '../flash-sales/sale-stock.ts';
import { ORDERS_TOPIC } from '../orders/order-events.ts';
import { OrderCancelled } from './deadline-events.ts';
import { isStaleFenceError } from './cancellations-repo.ts';
import { stockReleaser } from './stock-releaser.ts';

const API_KEY = 'sk_test_deadlines_int';
const NEVER = new AbortController().signal;

async function openSale(t: TestApp, admin: string, stock: number, perUserLimit = 3) {
  const headers = { authorization: admin };
  const product = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/products',
    payload: { name: 'Deadline test', priceCents: 1_000 },
    headers,
  });
  const sale = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/flash-sales',
    headers,
    payload: {
      productId: product.json<{ id: string }>().id,
      stock,
      priceCents: 700,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      perUserLimit,
    },
  });
  assert.equal(sale.statusCode, 201, sale.body);
  return sale.json<{ id: string }>().id;
}

const place = async (t: TestApp, token: string, saleId: string, quantity: number) => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/flash-sales/${saleId}/orders`,
    headers: { authorization: token, 'idempotency-key': randomUUID() },
    payload: { quantity },
  });
  assert.equal(res.statusCode, 202, res.body);
  return res.json<{ orderId: string }>().orderId;
};

/** What the stores say about a sale: Redis remaining and per-user units, MySQL sold and live units. */
async function saleState(t: TestApp, saleId: string) {
  const [remaining, users] = await Promise.all([
    t.ctx.redis.get(`surge:{sale:${saleId}}:stock`),
    t.ctx.redis.hgetall(`surge:{sale:${saleId}}:users`),
  ]);
  const sale = await t.ctx.db
    .selectFrom('flash_sales')
    .select(['stock', 'sold'])
    .where('id', '=', saleId)
    .executeTakeFirstOrThrow();
  const live = await t.ctx.db
    .selectFrom('orders')
    .select(sql<number | string>`COALESCE(SUM(quantity), 0)`.as('units'))
    .where('sale_id', '=', saleId)
    .where('status', 'in', ['confirmed', 'paid'])
    .executeTakeFirstOrThrow();
  return {
    remaining: Number(remaining),
    users,
    stock: Number(sale.stock),
    sold: Number(sale.sold),
    live: Number(live.units),
  };
}

describe('payment deadlines, end to end: unpaid orders are cancelled and their units come back once', () => {
  let t: TestApp;
  let gw: RunningGateway;
  before(async () => {
    gw = await startGateway({ port: 0, adminPort: 0, apiKey: API_KEY, logLevel: 'silent' });
    t = await startTestApp(
      {
        ORDER_PAYMENT_WINDOW_MS: '4000',
        PAYMENT_DEADLINE_POLL_MS: '200',
        PAYMENT_GATEWAY_URL: gw.url,
        PAYMENT_GATEWAY_API_KEY: API_KEY,
      },
      { workers: true },
    );
    await waitForTopic(t.config.kafkaBrokers, t.ctx.topic(ORDERS_TOPIC));
  });
  after(async () => {
    await t?.close();
    await gw?.close();
  });

  it(
    'cancels the unpaid, keeps the paid, returns units in Redis and MySQL; G3 holds from the stores',
    { timeout: 120_000 },
    async () => {
      const admin = `Bearer ${await t.token('admin')}`;
      const [ada, bob] = [randomUUID(), randomUUID()];
      const tokens = {
        ada: `Bearer ${await t.token('user', ada)}`,
        bob: `Bearer ${await t.token('user', bob)}`,
      };
      const saleId = await openSale(t, admin, 10);
      const unpaid = [await place(t, tokens.ada, saleId, 2), await place(t, tokens.ada, saleId, 1)];
      const paid = await place(t, tokens.bob, saleId, 1);
      await eventually('order-writer to confirm the three orders', async () => {
        const rows = await t.ctx.db
          .selectFrom('orders')
          .select('status')
          .where('sale_id', '=', saleId)
          .execute();
        return rows.length === 3 && rows.every((r) => r.status === 'confirmed') ? true : undefined;
      });
      const pay = await t.app.inject({
        method: 'POST',
        url: `/v1/orders/${paid}/payment`,
        headers: { authorization: tokens.bob, 'idempotency-key': randomUUID() },
        payload: { paymentToken: 'tok_visa' },
      });
      assert.equal(pay.statusCode, 200, pay.body);
      assert.deepEqual(await saleState(t, saleId), {
        remaining: 6,
        users: { [ada]: '3', [bob]: '1' },
        stock: 10,
        sold: 4,
        live: 4,
      });

      await eventually(
        'the unpaid orders to be cancelled and their units returned',
        async () => {
          const rows = await t.ctx.db
            .selectFrom('orders')
            .select(['id', 'status', 'units_returned_at'])
            .where('id', 'in', unpaid)
            .execute();
          return rows.every((r) => r.status === 'cancelled' && r.units_returned_at !== null)
            ? true
            : undefined;
        },
        { timeoutMs: 60_000 },
      );
      const state = await eventually('Redis to get the units back', async () => {
        const s = await saleState(t, saleId);
        return s.remaining === 9 ? s : undefined;
      });
      assert.deepEqual(state, { remaining: 9, users: { [bob]: '1' }, stock: 10, sold: 1, live: 1 });
      assert.equal(state.remaining + state.live, state.stock, 'G3: remaining + live units = stock');
      const paidRow = await t.ctx.db
        .selectFrom('orders')
        .select('status')
        .where('id', '=', paid)
        .executeTakeFirstOrThrow();
      assert.equal(paidRow.status, 'paid');
      // The returned units can be bought again.
      await place(t, tokens.ada, saleId, 3);
    },
  );
});

describe('payment deadlines, each part against the real stores', () => {
  let t: TestApp;
  let gw: RunningGateway;
  const WINDOW_MS = 60_000;
  before(async () => {
    gw = await startGateway({ port: 0, adminPort: 0, apiKey: API_KEY, logLevel: 'silent' });
    // Its own database: the sweep scans every confirmed order.
    t = await startTestApp(
      {
        ORDER_PAYMENT_WINDOW_MS: String(WINDOW_MS),
        PAYMENT_GATEWAY_URL: gw.url,
        PAYMENT_GATEWAY_API_KEY: API_KEY,
      },
      { ownDatabase: true },
    );
  });
  after(async () => {
    await t?.close();
    await gw?.close();
  });

  async function confirmedOrder(
    userId: string,
    createdAt: Date,
    saleId: string = randomUUID(),
    quantity = 1,
  ) {
    const id = uuidv7();
    await t.ctx.db
      .insertInto('orders')
      .values({
        id,
        user_id: userId,
        sale_id: saleId,
        quantity,
        price_cents: 500,
        status: 'confirmed',
        reject_reason: null,
        placed_at: createdAt,
        created_at: createdAt,
        updated_at: createdAt,
      })
      .execute();
    return id;
  }
  const statusOf = async (id: string) =>
    (await t.ctx.db.selectFrom('orders').select('status').where('id', '=', id).executeTakeFirstOrThrow())
      .status;

  it('the sweep cancels an overdue order the schedule never had; the poll alone does not', async () => {
    const id = await confirmedOrder(randomUUID(), new Date(Date.now() - WINDOW_MS - 10_000));
    const { deadlines } = t.features.deadlines;
    await deadlines.pollDue();
    assert.equal(await statusOf(id), 'confirmed', 'not in the schedule');
    assert.ok((await deadlines.sweep()) >= 1);
    assert.equal(await statusOf(id), 'cancelled');
    const events = await t.ctx.db.selectFrom('outbox').select('type').where('msg_key', '=', id).execute();
    assert.deepEqual(
      events.map((e) => e.type),
      ['surge.order.cancelled.v1'],
    );
  });

  it('an early schedule entry cancels nothing and is moved to the real deadline', async () => {
    const id = await confirmedOrder(randomUUID(), new Date());
    const { deadlines, schedule } = t.features.deadlines;
    await schedule.schedule(id, Date.now() - 1);
    await deadlines.pollDue();
    assert.equal(await statusOf(id), 'confirmed');
    const score = Number(await t.ctx.redis.zscore(`surge:payment-deadlines:${t.ctx.databaseName}`, id));
    assert.ok(score > Date.now() + WINDOW_MS - 5_000, `rescheduled at ${new Date(score).toISOString()}`);
    await schedule.remove([id]);
  });

  it('a stale fencing token writes nothing; after Redis lost its counter the job recovers by itself', async () => {
    const { repo, deadlines, schedule } = t.features.deadlines;
    const name = `payment-deadlines:${t.ctx.databaseName}`;
    const due = new Date(Date.now() - WINDOW_MS - 1_000);
    const id = await confirmedOrder(randomUUID(), due);
    // A holder far ahead has written with token 1,000,000.
    await repo.cancelIfUnpaid(
      uuidv7(),
      { confirmedBefore: new Date(), windowMs: WINDOW_MS, fence: { name, token: 1_000_000 } },
      () => Promise.resolve(),
    );
    const err: unknown = await repo
      .cancelIfUnpaid(
        id,
        { confirmedBefore: new Date(), windowMs: WINDOW_MS, fence: { name, token: 3 } },
        () => Promise.resolve(),
      )
      .catch((e: unknown) => e);
    assert.ok(isStaleFenceError(err), String(err));
    assert.equal(await statusOf(id), 'confirmed', 'the paused holder changed nothing');
    // Redis' counter is far below what MySQL recorded (as after a Redis restart without data).
    await schedule.schedule(id, due.getTime() + WINDOW_MS);
    assert.equal(await deadlines.pollDue(), 0, 'refused once: the counter is raised');
    await eventually('the next round to cancel it', async () =>
      (await deadlines.pollDue()) >= 1 ? true : undefined,
    );
    assert.equal(await statusOf(id), 'cancelled');
  });

  it('stock-releaser: a crash between Redis and MySQL, then redeliveries, return the units exactly once', async () => {
    const admin = `Bearer ${await t.token('admin')}`;
    const buyer = randomUUID();
    const saleId = await openSale(t, admin, 5);
    // What placement and order-writer would have done (no workers here): the reservation, the
    // row, `sold`, the confirmation.
    const stock = createSaleStock(t.ctx.redis, { tombstoneTtlMs: 60_000 });
    const orderId = uuidv7();
    assert.equal((await stock.reserve(saleId, { orderId, userId: buyer, quantity: 2 })).kind, 'reserved');
    await stock.markPublished(saleId, orderId);
    const now = new Date();
    await t.ctx.db
      .insertInto('orders')
      .values({
        id: orderId,
        user_id: buyer,
        sale_id: saleId,
        quantity: 2,
        price_cents: 700,
        status: 'cancelled',
        reject_reason: null,
        placed_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await t.ctx.db.updateTable('flash_sales').set({ sold: 2 }).where('id', '=', saleId).execute();
    await stock.confirm(saleId, orderId);
    assert.deepEqual(await saleState(t, saleId), {
      remaining: 3,
      users: { [buyer]: '2' },
      stock: 5,
      sold: 2,
      live: 0,
    });

    const message = OrderCancelled.create(
      {
        orderId,
        saleId,
        userId: buyer,
        quantity: 2,
        reason: 'PAYMENT_TIMEOUT',
        cancelledAt: now.toISOString(),
      },
      { key: orderId, source: '/test' },
    );
    const delivery = (attempt: number): Delivery => ({
      ...message,
      topic: 'orders',
      partition: 0,
      offset: String(attempt),
      timestamp: Date.now(),
      deliveryAttempt: attempt,
    });
    const { repo } = t.features.deadlines;
    let crash = true;
    const crashing = stockReleaser({
      stock,
      repo: {
        ...repo,
        returnUnits: (id) =>
          crash ? Promise.reject(new Error('killed between Redis and MySQL')) : repo.returnUnits(id),
      },
      log: silentLog,
    });
    await assert.rejects(crashing(delivery(1), NEVER), /killed/);
    assert.deepEqual(
      await saleState(t, saleId),
      { remaining: 5, users: {}, stock: 5, sold: 2, live: 0 },
      'Redis got them, MySQL not yet',
    );
    crash = false;
    const releaser = stockReleaser({ stock, repo, log: silentLog });
    for (let attempt = 2; attempt <= 4; attempt++) await releaser(delivery(attempt), NEVER);
    assert.deepEqual(
      await saleState(t, saleId),
      { remaining: 5, users: {}, stock: 5, sold: 0, live: 0 },
      'once in each store',
    );
    // Concurrent redeliveries (two consumers after a rebalance) change nothing either.
    await Promise.all([
      releaser(delivery(5), NEVER),
      releaser(delivery(6), NEVER),
      releaser(delivery(7), NEVER),
    ]);
    assert.deepEqual(await saleState(t, saleId), { remaining: 5, users: {}, stock: 5, sold: 0, live: 0 });
  });

  it(
    '100 orders paid at the moment of their deadline: each ends paid xor cancelled; every charge of a cancelled order is refunded',
    { timeout: 120_000 },
    async (test) => {
      const user = randomUUID();
      const token = `Bearer ${await t.token('user', user)}`;
      // Charges take 150–300 ms: many are in flight when their order's deadline passes.
      await gw.setBehaviour({ latencyMs: 150, jitterMs: 150 });
      // One deadline for all, 1.5 s ahead; payments spread from 200 ms before it to 800 ms after.
      const dueAt = Date.now() + 1_500;
      const ids: string[] = [];
      for (let i = 0; i < 100; i++) ids.push(await confirmedOrder(user, new Date(dueAt - WINDOW_MS)));
      const { deadlines, schedule } = t.features.deadlines;
      for (const id of ids) await schedule.schedule(id, dueAt);
      let polling = true;
      const poller = (async () => {
        // As the job does: a failed round (the MySQL pool busy with the payments) is retried.
        while (polling) {
          await deadlines.pollDue().catch(() => 0);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const answers = await Promise.all(
        ids.map(async (id, i) => {
          await new Promise((r) => setTimeout(r, Math.max(0, dueAt - 200 + i * 10 - Date.now())));
          const res = await t.app.inject({
            method: 'POST',
            url: `/v1/orders/${id}/payment`,
            headers: { authorization: token, 'idempotency-key': randomUUID() },
            payload: { paymentToken: 'tok_visa' },
          });
          return { id, status: res.statusCode, body: res.body };
        }),
      );
      await eventually(
        'every order to leave confirmed',
        async () => {
          await deadlines.sweep();
          const left = await t.ctx.db
            .selectFrom('orders')
            .select('id')
            .where('id', 'in', ids)
            .where('status', '=', 'confirmed')
            .execute();
          return left.length === 0 ? true : undefined;
        },
        { timeoutMs: 90_000 },
      );
      polling = false;
      await poller;
      await gw.setBehaviour({ latencyMs: 0, jitterMs: 0 });

      const rows = await t.ctx.db
        .selectFrom('orders')
        .select(['id', 'status'])
        .where('id', 'in', ids)
        .execute();
      const tally = { paid: 0, cancelled: 0, refunded: 0 };
      for (const row of rows) {
        const answer = answers.find((a) => a.id === row.id);
        const charges = (await (
          await fetch(`${gw.url}/charges?orderId=${row.id}`, {
            headers: { authorization: `Bearer ${API_KEY}` },
          })
        ).json()) as {
          data: Array<{ status: string; refunded: boolean }>;
        };
        const kept = charges.data.filter((c) => c.status === 'succeeded' && !c.refunded).length;
        if (row.status === 'paid') {
          tally.paid++;
          assert.equal(answer?.status, 200, `paid order answered ${answer?.status}: ${answer?.body}`);
          assert.equal(kept, 1, `paid order ${row.id} keeps exactly one charge`);
        } else {
          assert.equal(row.status, 'cancelled');
          tally.cancelled++;
          assert.equal(answer?.status, 409, `cancelled order answered ${answer?.status}: ${answer?.body}`);
          assert.equal(kept, 0, `cancelled order ${row.id} keeps no charge`);
          if (charges.data.length > 0) tally.refunded++;
        }
      }
      assert.equal(tally.paid + tally.cancelled, 100);
      const pending = await t.ctx.db
        .selectFrom('payments')
        .select('charge_id')
        .where('order_id', 'in', ids)
        .where('status', '=', 'refund_pending')
        .execute();
      assert.deepEqual(pending, [], 'no refund left pending');
      // How the race went (timing-dependent; the invariants above hold whichever side wins).
      test.diagnostic(`deadline race: ${JSON.stringify(tally)}`);
    },
  );
});
