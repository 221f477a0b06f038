import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import type { Delivery } from '@surge/messaging';
import { newUser, startTestApp, type TestApp } from '../../testing/test-app.ts';
import { OrderPaid } from '../payments/payment-events.ts';
import { leaderboardConsumer } from './leaderboard-consumer.ts';

const NEVER = new AbortController().signal;
const HOUR = 3_600_000;

interface Board {
  items: Array<{ rank: number; name?: string; displayName?: string; units?: number; spentCents?: number }>;
}

describe('leaderboards: paid orders counted once, read by name, rebuilt from MySQL', () => {
  let t: TestApp;
  let admin: string;
  before(async () => {
    // Its own database: the rebuild reads every paid order.
    t = await startTestApp({}, { ownDatabase: true });
    admin = `Bearer ${await t.token('admin')}`;
  });
  after(() => t.close());

  async function sale(name: string) {
    const product = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/products',
      headers: { authorization: admin },
      payload: { name, priceCents: 1_000 },
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/flash-sales',
      headers: { authorization: admin },
      payload: {
        productId: product.json<{ id: string }>().id,
        stock: 100,
        priceCents: 500,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + HOUR).toISOString(),
        perUserLimit: 10,
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json<{ id: string }>().id;
  }
  async function buyer(displayName: string) {
    const body = { ...newUser('lb'), displayName };
    const res = await t.app.inject({ method: 'POST', url: '/v1/users', payload: body });
    assert.equal(res.statusCode, 201, res.body);
    return { id: res.json<{ id: string }>().id, email: body.email };
  }
  /** A paid order in MySQL (as payments leaves it) and its order.paid delivery. */
  async function paid(saleId: string, userId: string, quantity: number, paidAtMs: number) {
    const orderId = uuidv7();
    const at = new Date(paidAtMs);
    const amountCents = quantity * 500;
    await t.ctx.db
      .insertInto('orders')
      .values({
        id: orderId,
        user_id: userId,
        sale_id: saleId,
        quantity,
        price_cents: 500,
        status: 'paid',
        reject_reason: null,
        placed_at: at,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const chargeId = `ch_${orderId.replaceAll('-', '')}`;
    await t.ctx.db
      .insertInto('payments')
      .values({
        charge_id: chargeId,
        order_id: orderId,
        user_id: userId,
        amount_cents: amountCents,
        currency: 'usd',
        status: 'captured',
        refund_id: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const m = OrderPaid.create(
      { orderId, saleId, userId, quantity, amountCents, currency: 'usd', chargeId, paidAt: at.toISOString() },
      { key: orderId, source: '/test' },
    );
    return {
      ...m,
      topic: 'surge.orders.v1',
      partition: 0,
      offset: '0',
      timestamp: paidAtMs,
      deliveryAttempt: 1,
    } satisfies Delivery;
  }
  const get = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, res.body);
    return { board: res.json<Board>(), body: res.body };
  };
  const units = (b: Board) => b.items.map((i) => [i.name, i.units]);

  it('ranks products per window and buyers by spend, counts each order once, and rebuilds to the same boards', async () => {
    const [phone, kettle, lamp] = [await sale('Phone'), await sale('Kettle'), await sale('Lamp')];
    const ada = await buyer('Ada L.');
    const bob = await buyer('Bob K.');
    const now = Date.now();
    const deliveries = [
      await paid(phone, ada.id, 2, now),
      await paid(phone, bob.id, 3, now),
      await paid(kettle, bob.id, 4, now),
      await paid(lamp, ada.id, 1, now - 3 * HOUR), // in 24h and all, not this hour
      await paid(lamp, ada.id, 6, now - 30 * HOUR), // all time only
    ];
    const handle = leaderboardConsumer(t.features.leaderboards.store, t.features.leaderboards.repo);
    for (const d of deliveries) await handle(d, NEVER);
    for (const d of deliveries) await handle({ ...d, deliveryAttempt: 2 }, NEVER); // redelivered
    await Promise.all([handle(deliveries[0]!, NEVER), handle(deliveries[0]!, NEVER)]); // concurrently

    const expectAll = [
      ['Lamp', 7],
      ['Phone', 5],
      ['Kettle', 4],
    ];
    const expect24 = [
      ['Phone', 5],
      ['Kettle', 4],
      ['Lamp', 1],
    ];
    const expect1h = [
      ['Phone', 5],
      ['Kettle', 4],
    ];
    const h = hourStart(now);
    // The 1h board is this clock hour: an order 3 h ago is out, unless the test runs across an hour.
    assert.deepEqual(units((await get('/v1/leaderboards/products?window=all')).board), expectAll);
    assert.deepEqual(units((await get('/v1/leaderboards/products?window=24h')).board), expect24);
    if (Date.now() < h + HOUR)
      assert.deepEqual(units((await get('/v1/leaderboards/products?window=1h')).board), expect1h);

    const buyers = await get('/v1/leaderboards/buyers');
    assert.deepEqual(
      buyers.board.items.map((i) => [i.rank, i.displayName, i.spentCents]),
      [
        [1, 'Ada L.', 4_500],
        [2, 'Bob K.', 3_500],
      ],
    );
    for (const secret of [ada.id, bob.id, ada.email, bob.email]) {
      assert.ok(!buyers.body.includes(secret), 'no ids or emails of other users');
    }
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/v1/leaderboards/products?window=7d' })).statusCode,
      400,
    );

    // Redis loses the boards; an admin rebuilds them from MySQL.
    const { keys } = t.features.leaderboards.store;
    const lost = await t.ctx.redis.keys(`${keys.products.replace(/:products:all$/, '')}:*`);
    assert.ok(lost.length > 0);
    await t.ctx.redis.del(...lost);
    const forbidden = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/leaderboards/rebuild',
      headers: { authorization: `Bearer ${await t.token('user')}` },
    });
    assert.equal(forbidden.statusCode, 403);
    const rebuilt = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/leaderboards/rebuild',
      headers: { authorization: admin },
    });
    assert.equal(rebuilt.statusCode, 200, rebuilt.body);
    assert.deepEqual(rebuilt.json(), { orders: 5 });
    assert.deepEqual(units((await get('/v1/leaderboards/products?window=all')).board), expectAll);
    assert.deepEqual(units((await get('/v1/leaderboards/products?window=24h')).board), expect24);
    // An order.paid still on its way after the rebuild counts nothing: the rebuild marked it.
    for (const d of deliveries) await handle(d, NEVER);
    await t.features.leaderboards.store.topProducts('all', 10).then((top) =>
      assert.deepEqual(
        top.map(([, n]) => n),
        [7, 5, 4],
      ),
    );
  });
});

const hourStart = (ms: number) => ms - (ms % HOUR);
