import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Publisher } from '@surge/messaging';
import { silentLog } from '@surge/resilience';
import { isDomainError } from '../../errors.ts';
import { eventually } from '@surge/test-support';
import { waitForTopic } from '../../testing/kafka-topics.ts';
import { startTestApp, type TestApp } from '../../testing/test-app.ts';
import { createPlacement, tookNothing } from '../flash-sales/place-order.ts';
import { createSaleStock, saleKeys } from '../flash-sales/sale-stock.ts';
import { ORDERS_TOPIC } from '../orders/order-events.ts';
import { createPendingOrders } from '../orders/pending-orders.ts';
import type { SaleReconciliation } from './reconcile-sale.ts';

/** Well past RECONCILE_RESERVATION_AGE_MS (default 60 s). */
const LONG_AGO_MS = 10 * 60_000;

async function openSale(t: TestApp, stock: number, perUserLimit = 5) {
  const headers = { authorization: `Bearer ${await t.token('admin')}` };
  const product = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/products',
    payload: { name: 'Reconciliation test', priceCents: 1_000 },
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

/** Makes a reservation look `ms` older (its record's time and its score in the open set). */
async function backdate(t: TestApp, saleId: string, orderId: string, ms = LONG_AGO_MS) {
  const k = saleKeys(saleId);
  const record = await t.ctx.redis.hget(k.orders, orderId);
  assert.ok(record, `no reservation ${orderId}`);
  const [state, userId, qty, at] = record.split('|');
  const old = Number(at) - ms;
  await t.ctx.redis.hset(k.orders, orderId, [state, userId, qty, old].join('|'));
  if ((await t.ctx.redis.zscore(k.open, orderId)) !== null) await t.ctx.redis.zadd(k.open, old, orderId);
}

const stateOf = async (t: TestApp, saleId: string, orderId: string) =>
  (await t.ctx.redis.hget(saleKeys(saleId).orders, orderId))?.split('|')[0];

/** The round's report of one sale (the round covers every active sale of the test's database). */
async function reconcile(t: TestApp, saleId: string): Promise<SaleReconciliation> {
  const reports = await t.features.reconciliation.reconciler.round();
  assert.ok(reports, 'the round found the lock held by another instance');
  const report = reports.find((r) => r.saleId === saleId);
  assert.ok(report, `the round did not reconcile sale ${saleId}`);
  return report;
}

async function driftGauge(t: TestApp, saleId: string): Promise<number | undefined> {
  const metric = await t.ctx.metrics.getSingleMetric('surge_stock_drift_units')?.get();
  return metric?.values.find((v) => v.labels.sale === saleId)?.value;
}

/** What the stores say: Redis remaining and live reservation units, MySQL stock, sold and live units. */
async function stores(t: TestApp, saleId: string) {
  const k = saleKeys(saleId);
  const [remaining, hash] = await Promise.all([t.ctx.redis.get(k.stock), t.ctx.redis.hgetall(k.orders)]);
  const redisLive = Object.values(hash)
    .map((r) => r.split('|'))
    .filter(([state]) => state !== 'released')
    .reduce((s, [, , qty]) => s + Number(qty), 0);
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
    remaining: remaining === null ? null : Number(remaining),
    redisLive,
    stock: Number(sale.stock),
    sold: Number(sale.sold),
    mysqlLive: Number(live.units),
  };
}

/** G1 from the stores: MySQL never sold more than the stock; Redis never holds more than it. */
async function assertNoOversell(t: TestApp, saleId: string) {
  const s = await stores(t, saleId);
  assert.ok(s.sold <= s.stock, `MySQL sold ${s.sold} of ${s.stock}`);
  assert.ok(s.mysqlLive <= s.stock, `MySQL live ${s.mysqlLive} of ${s.stock}`);
  if (s.remaining !== null) {
    assert.ok(s.remaining >= 0, `Redis remaining ${s.remaining}`);
    assert.ok(s.remaining + s.redisLive <= s.stock, `Redis ${s.remaining} + ${s.redisLive} of ${s.stock}`);
  }
  return s;
}

describe('reconciliation: reservations placement abandoned are released, published ones never', () => {
  let t: TestApp;
  // A second connection, so a mark-published and the round's release really race at Redis.
  let other: Redis;
  before(async () => {
    t = await startTestApp({}, { ownDatabase: true });
    other = new Redis(t.config.redisUrl, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    other?.disconnect();
    await t?.close();
  });

  it('releases an old `reserved` one (units, per-user count, tombstone), keeps a young one and any published one', async () => {
    const saleId = await openSale(t, 10, 6);
    const { stock } = t.features.flashSales;
    const user = randomUUID();
    const [old, young, published] = [uuidv7(), uuidv7(), uuidv7()];
    for (const orderId of [old, young, published])
      assert.equal((await stock.reserve(saleId, { orderId, userId: user, quantity: 2 })).kind, 'reserved');
    assert.equal(await stock.markPublished(saleId, published), 'published');
    await backdate(t, saleId, old);
    await backdate(t, saleId, published);
    assert.equal(await stock.remaining(saleId), 4);

    const report = await reconcile(t, saleId);
    assert.equal(report.released, 1);
    assert.equal(report.releasedUnits, 2);
    assert.equal(await stateOf(t, saleId, old), 'released');
    assert.equal(await stateOf(t, saleId, young), 'reserved');
    assert.equal(await stateOf(t, saleId, published), 'published');
    assert.equal(await stock.remaining(saleId), 6);
    assert.equal(await t.ctx.redis.hget(saleKeys(saleId).users, user), '4');
    assert.equal(await t.ctx.redis.zscore(saleKeys(saleId).open, old), null);
    // The tombstone: a late reserve of the same orderId (the dead placement's retry) takes nothing.
    const late = await stock.reserve(saleId, { orderId: old, userId: user, quantity: 2 });
    assert.deepEqual(late, { kind: 'already', state: 'released', remaining: 6 });
    // The two left are in flight (no order in MySQL yet): no drift.
    assert.equal(report.drift, 0);
    assert.equal(report.inFlightUnits, 4);
    assert.equal(await driftGauge(t, saleId), 0);

    // Next round: nothing more to release, the published one stays however old.
    const again = await reconcile(t, saleId);
    assert.equal(again.released, 0);
    assert.equal(await stateOf(t, saleId, published), 'published');
    assert.equal(await stock.remaining(saleId), 6);
  });

  it('race: mark-published against the round’s release ends in exactly one of released / published-and-kept', async () => {
    const saleId = await openSale(t, 100, 100);
    const { stock } = t.features.flashSales;
    const otherStock = createSaleStock(other, { tombstoneTtlMs: 60_000 });
    const outcomes = { released: 0, published: 0 };
    for (let i = 0; i < 30; i++) {
      const orderId = uuidv7();
      const before = (await stock.reserve(saleId, { orderId, userId: `u${i}`, quantity: 1 })).kind;
      assert.equal(before, 'reserved');
      await backdate(t, saleId, orderId);
      const remaining = Number(await stock.remaining(saleId));
      const [marked, report] = await Promise.all([
        otherStock.markPublished(saleId, orderId),
        reconcile(t, saleId),
      ]);
      const state = await stateOf(t, saleId, orderId);
      const after = Number(await stock.remaining(saleId));
      if (marked === 'released') {
        assert.equal(report.released, 1, 'released by the round');
        assert.equal(state, 'released');
        assert.equal(after, remaining + 1, 'its unit came back once');
        outcomes.released++;
      } else {
        assert.equal(marked, 'published', `mark-published answered ${marked}`);
        assert.equal(report.released, 0, 'the round released a published reservation');
        assert.equal(state, 'published');
        assert.equal(after, remaining, 'the unit stays taken');
        outcomes.published++;
      }
      assert.equal(report.drift, 0);
    }
    assert.equal(outcomes.released + outcomes.published, 30, JSON.stringify(outcomes));
  });

  // Regression (G2): placement answered 202 for a reservation reconciliation had released while
  // the request stalled past the age threshold; the order-writer then rejected the order.
  it('placement whose reservation was released before its ack was marked answers 503 (took nothing), never 202', async () => {
    const saleId = await openSale(t, 5);
    const { reader, snapshots, stock } = t.features.flashSales;
    let ack!: () => void;
    const acked = new Promise<void>((resolve) => (ack = resolve));
    let publishing!: () => void;
    const inPublish = new Promise<void>((resolve) => (publishing = resolve));
    const publisher: Publisher = {
      async publish() {
        publishing();
        await acked;
      },
      close: () => Promise.resolve(),
    };
    const place = createPlacement({
      reader,
      stock,
      snapshots,
      publisher,
      pending: createPendingOrders(t.ctx.redis, { ttlSec: 60 }),
      ordersTopic: 'unused',
      publishTimeoutMs: 30_000,
      log: silentLog,
    });
    const orderId = uuidv7();
    const placing = place({
      saleId,
      userId: randomUUID(),
      quantity: 2,
      orderId,
      attempt: 1,
      headers: {},
    }).then(
      (accepted) => ({ accepted }),
      (err: unknown) => ({ err }),
    );
    await inPublish;
    await backdate(t, saleId, orderId);
    assert.equal((await reconcile(t, saleId)).released, 1);
    ack();
    const outcome = await placing;
    assert.ok('err' in outcome, `placement answered ${JSON.stringify(outcome)}`);
    assert.ok(
      isDomainError(outcome.err) && outcome.err.code === 'DEPENDENCY_UNAVAILABLE',
      String(outcome.err),
    );
    assert.ok(tookNothing(outcome.err), 'a retry of the key may start afresh');
    assert.equal(await stateOf(t, saleId, orderId), 'released');
    assert.equal(await stock.remaining(saleId), 5);
  });

  it('drift: an in-flight reservation counts once; a live order Redis lost shows as negative drift', async () => {
    const saleId = await openSale(t, 10);
    const { stock } = t.features.flashSales;
    const user = randomUUID();
    const [inFlight, stored] = [uuidv7(), uuidv7()];
    await stock.reserve(saleId, { orderId: inFlight, userId: user, quantity: 1 });
    await stock.reserve(saleId, { orderId: stored, userId: user, quantity: 3 });
    // What the order-writer does for `stored`: confirm, then the row and `sold`.
    assert.equal(await stock.confirm(saleId, stored), 'confirmed');
    const now = new Date();
    await t.ctx.db
      .insertInto('orders')
      .values({
        id: stored,
        user_id: user,
        sale_id: saleId,
        quantity: 3,
        price_cents: 700,
        status: 'confirmed',
        reject_reason: null,
        placed_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await t.ctx.db.updateTable('flash_sales').set({ sold: 3 }).where('id', '=', saleId).execute();
    const ok = await reconcile(t, saleId);
    assert.deepEqual(
      {
        drift: ok.drift,
        expected: ok.expectedRemaining,
        redis: ok.redisRemaining,
        inFlight: ok.inFlightUnits,
        mysqlLive: ok.mysqlLiveUnits,
        redisLive: ok.redisLiveUnits,
      },
      { drift: 0, expected: 6, redis: 6, inFlight: 1, mysqlLive: 3, redisLive: 4 },
    );

    // Redis loses the confirmed reservation and gets its units back (as a bad restore would):
    // Redis would sell 3 units an order holds.
    await t.ctx.redis.hdel(saleKeys(saleId).orders, stored);
    await t.ctx.redis.incrby(saleKeys(saleId).stock, 3);
    const lost = await reconcile(t, saleId);
    assert.equal(lost.drift, -3);
    assert.equal(await driftGauge(t, saleId), -3);
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/flash-sales/${saleId}/reconciliation`,
      headers: { authorization: `Bearer ${await t.token('admin')}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), lost);
  });

  it('GET …/reconciliation: admin only; 404 before any round', async () => {
    const saleId = await openSale(t, 3);
    const url = `/v1/admin/flash-sales/${saleId}/reconciliation`;
    const asUser = await t.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${await t.token('user')}` },
    });
    assert.equal(asUser.statusCode, 403, asUser.body);
    assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 401);
    const admin = { authorization: `Bearer ${await t.token('admin')}` };
    const none = await t.app.inject({ method: 'GET', url, headers: admin });
    assert.equal(none.statusCode, 404, none.body);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/flash-sales/x/reconciliation',
      headers: admin,
    });
    assert.equal(bad.statusCode, 400, bad.body);
  });
});

describe('reconciliation through the pipeline: Redis loses a sale mid-sale, drift reported, rebuild-stock heals, G1 throughout', () => {
  let t: TestApp;
  before(async () => {
    // The periodic round stays out of the way (its first run is one interval in): the test runs rounds.
    t = await startTestApp({ RECONCILE_INTERVAL_MS: '86400000' }, { workers: true });
    await waitForTopic(t.config.kafkaBrokers, t.ctx.topic(ORDERS_TOPIC));
  });
  after(() => t?.close());

  async function placeAll(saleId: string, buyers: readonly string[], quantity: number) {
    const codes: number[] = [];
    for (const token of buyers) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/flash-sales/${saleId}/orders`,
        headers: { authorization: token, 'idempotency-key': randomUUID() },
        payload: { quantity },
      });
      codes.push(res.statusCode);
    }
    return codes;
  }

  const drained = (saleId: string, orders: number) =>
    eventually(`the order-writer to store ${orders} orders`, async () => {
      const rows = await t.ctx.db
        .selectFrom('orders')
        .select('status')
        .where('sale_id', '=', saleId)
        .execute();
      return rows.length === orders ? rows : undefined;
    });

  it(
    'delete the stock keys mid-sale: the round reports the drift, rebuild-stock heals it',
    { timeout: 120_000 },
    async () => {
      const saleId = await openSale(t, 20, 3);
      const buyers = await Promise.all(
        Array.from({ length: 6 }, async () => `Bearer ${await t.token('user', randomUUID())}`),
      );
      assert.deepEqual(await placeAll(saleId, buyers, 2), [202, 202, 202, 202, 202, 202]);
      const rows = await drained(saleId, 6);
      assert.ok(
        rows.every((r) => r.status === 'confirmed'),
        JSON.stringify(rows),
      );
      const healthy = await reconcile(t, saleId);
      assert.equal(healthy.drift, 0);
      assert.equal(healthy.redisRemaining, 8);
      await assertNoOversell(t, saleId);

      // Redis loses the sale (all its keys) while it is open.
      await t.ctx.redis.del(...Object.values(saleKeys(saleId)));
      const lost = await reconcile(t, saleId);
      assert.equal(lost.redisRemaining, null);
      assert.equal(lost.drift, 8, 'the whole remaining (stock − live units) is drift');
      assert.equal(await driftGauge(t, saleId), 8);
      await assertNoOversell(t, saleId);
      // Meanwhile placement refuses (503), it never sells from an empty Redis.
      assert.deepEqual(await placeAll(saleId, buyers.slice(0, 1), 1), [503]);

      const rebuilt = await t.app.inject({
        method: 'POST',
        url: `/v1/admin/flash-sales/${saleId}/rebuild-stock`,
        headers: { authorization: `Bearer ${await t.token('admin')}` },
      });
      assert.equal(rebuilt.statusCode, 200, rebuilt.body);
      assert.deepEqual(rebuilt.json(), { saleId, rebuilt: true, remaining: 8, liveUnits: 12 });
      const healed = await reconcile(t, saleId);
      assert.equal(healed.drift, 0);
      assert.equal(await driftGauge(t, saleId), 0);

      // Selling resumes; each buyer may take 1 more (limit 3): 6 more units, then 2 left.
      assert.deepEqual(await placeAll(saleId, buyers, 1), [202, 202, 202, 202, 202, 202]);
      await drained(saleId, 12);
      const end = await reconcile(t, saleId);
      assert.equal(end.drift, 0);
      const s = await assertNoOversell(t, saleId);
      assert.deepEqual(s, { remaining: 2, redisLive: 18, stock: 20, sold: 18, mysqlLive: 18 });
    },
  );
});
