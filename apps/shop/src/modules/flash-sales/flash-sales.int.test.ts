import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { startTestApp, type TestApp } from '../../testing/test-app.ts';
import { saleKeys } from './sale-stock.ts';

interface SaleView {
  id: string;
  stock: number;
  remaining: number | null;
  status: string;
  perUserLimit: number;
}

describe('flash sales: admin creation, stock in Redis, public views', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let productId: string;
  const created: string[] = [];
  before(async () => {
    // Refresh the remaining snapshot on every read, so the test sees Redis' value at once.
    t = await startTestApp({ SALE_REMAINING_REFRESH_MS: '0' });
    admin = { authorization: `Bearer ${await t.token('admin', uuidv7())}` };
    const product = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/products',
      payload: { name: 'Sale phone', priceCents: 50_000 },
      headers: admin,
    });
    productId = product.json<{ id: string }>().id;
  });
  after(async () => {
    const keys = created.flatMap((id) => Object.values(saleKeys(id)));
    if (keys.length > 0) await t.ctx.redis.unlink(...keys);
    await t.close();
  });

  const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
  const saleBody = (over: object = {}) => ({
    productId,
    stock: 100,
    priceCents: 9_900,
    startsAt: at(-60_000),
    endsAt: at(3_600_000),
    perUserLimit: 2,
    ...over,
  });
  const create = async (body: object, headers = admin) => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/admin/flash-sales', payload: body, headers });
    if (res.statusCode === 201) created.push(res.json<{ id: string }>().id);
    return res;
  };

  it('creates a sale (201 + Location), puts its stock in Redis and its change in the outbox', async () => {
    const res = await create(saleBody());
    assert.equal(res.statusCode, 201, res.body);
    const sale = res.json<SaleView>();
    assert.equal(res.headers.location, `/v1/flash-sales/${sale.id}`);
    assert.equal(sale.remaining, 100);
    assert.equal(sale.status, 'active');
    assert.equal(await t.ctx.redis.get(saleKeys(sale.id).stock), '100');
    const events = await t.ctx.db
      .selectFrom('outbox')
      .select(['type'])
      .where('msg_key', '=', sale.id)
      .execute();
    assert.deepEqual(events, [{ type: 'surge.flash_sale.changed.v1' }]);
  });

  it('shows units taken in Redis as remaining, and sold out at zero', async () => {
    const sale = (await create(saleBody({ stock: 3, perUserLimit: 3 }))).json<SaleView>();
    const reserved = await t.features.flashSales.stock.reserve(sale.id, {
      orderId: randomUUID(),
      userId: 'u1',
      quantity: 2,
    });
    assert.equal(reserved.kind, 'reserved');
    await sleep(5);
    const view = (await t.app.inject({ method: 'GET', url: `/v1/flash-sales/${sale.id}` })).json<SaleView>();
    assert.equal(view.remaining, 1);
    assert.equal(view.status, 'active');
    await t.features.flashSales.stock.reserve(sale.id, { orderId: randomUUID(), userId: 'u2', quantity: 1 });
    await sleep(5);
    const soldOut = (
      await t.app.inject({ method: 'GET', url: `/v1/flash-sales/${sale.id}` })
    ).json<SaleView>();
    assert.deepEqual([soldOut.remaining, soldOut.status], [0, 'sold_out']);
  });

  it('refuses invalid sales with 400 and a stable code, and non-admins with 403', async () => {
    const cases: Array<[object, string]> = [
      [saleBody({ stock: 0 }), 'VALIDATION_FAILED'],
      [saleBody({ stock: 1_000_001 }), 'VALIDATION_FAILED'],
      [saleBody({ perUserLimit: 0 }), 'VALIDATION_FAILED'],
      [saleBody({ startsAt: 'tomorrow' }), 'VALIDATION_FAILED'],
      [saleBody({ extra: 1 }), 'VALIDATION_FAILED'],
      [saleBody({ startsAt: at(7_200_000), endsAt: at(3_600_000) }), 'INVALID_SALE_WINDOW'],
      [saleBody({ startsAt: at(-7_200_000), endsAt: at(-3_600_000) }), 'INVALID_SALE_WINDOW'],
      [saleBody({ productId: uuidv7() }), 'UNKNOWN_PRODUCT'],
    ];
    for (const [body, code] of cases) {
      const res = await create(body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)} → ${res.body}`);
      assert.equal(res.json<{ code: string }>().code, code);
    }
    const user = { authorization: `Bearer ${await t.token('user')}` };
    assert.equal((await create(saleBody(), user)).statusCode, 403);
    assert.equal((await create(saleBody(), {})).statusCode, 401);
  });

  it('rebuilds a lost sale from MySQL: remaining = stock − live units, live orders releasable again', async () => {
    const sale = (await create(saleBody({ stock: 10, perUserLimit: 5 }))).json<SaleView>();
    const rebuild = (query = '') =>
      t.app.inject({
        method: 'POST',
        url: `/v1/admin/flash-sales/${sale.id}/rebuild-stock${query}`,
        headers: admin,
      });
    const present = await rebuild();
    assert.equal(present.statusCode, 200, present.body);
    assert.deepEqual(present.json(), { saleId: sale.id, rebuilt: false, remaining: 10, liveUnits: 0 });
    // Two orders in MySQL (one confirmed, one paid) and one rejected; then Redis loses the sale.
    const now = new Date();
    const order = (status: 'confirmed' | 'paid' | 'rejected', quantity: number, userId: string) => ({
      id: uuidv7(),
      user_id: userId,
      sale_id: sale.id,
      quantity,
      price_cents: 100,
      status,
      reject_reason: null,
      placed_at: now,
      created_at: now,
      updated_at: now,
    });
    const live = [order('confirmed', 3, 'u-a'), order('paid', 2, 'u-b'), order('rejected', 4, 'u-c')];
    await t.ctx.db.insertInto('orders').values(live).execute();
    await t.ctx.redis.unlink(...Object.values(saleKeys(sale.id)));
    const rebuilt = await rebuild();
    assert.deepEqual(rebuilt.json(), { saleId: sale.id, rebuilt: true, remaining: 5, liveUnits: 5 });
    assert.equal(await t.ctx.redis.hget(saleKeys(sale.id).users, 'u-a'), '3');
    // The per-user limit counts the rebuilt holdings; a cancelled order returns its units.
    const more = await t.features.flashSales.stock.reserve(sale.id, {
      orderId: randomUUID(),
      userId: 'u-a',
      quantity: 3,
    });
    assert.equal(more.kind, 'limitExceeded');
    assert.deepEqual(await t.features.flashSales.stock.release(sale.id, live[0]!.id), {
      kind: 'released',
      remaining: 8,
    });
    const forced = await rebuild('?force=true');
    assert.deepEqual(forced.json(), { saleId: sale.id, rebuilt: true, remaining: 5, liveUnits: 5 });
    const user = { authorization: `Bearer ${await t.token('user')}` };
    const refused = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/flash-sales/${sale.id}/rebuild-stock`,
      headers: user,
    });
    assert.equal(refused.statusCode, 403);
  });

  it('answers 404 for an unknown sale and 400 for a malformed id', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: `/v1/flash-sales/${uuidv7()}` })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/flash-sales/not-an-id' })).statusCode, 400);
  });

  it('lists active and scheduled sales separately, page by page', async () => {
    const scheduled: SaleView[] = [];
    for (let i = 0; i < 3; i++) {
      scheduled.push(
        (await create(saleBody({ startsAt: at(3_600_000), endsAt: at(7_200_000) }))).json<SaleView>(),
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `status=scheduled&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.app.inject({ method: 'GET', url: `/v1/flash-sales?${query}` });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json<{ items: SaleView[]; nextCursor: string | null }>();
      assert.ok(body.items.length <= 2);
      for (const s of body.items) assert.equal(s.status, 'scheduled');
      seen.push(...body.items.map((s) => s.id));
      cursor = body.nextCursor;
    } while (cursor !== null);
    for (const s of scheduled) assert.ok(seen.includes(s.id), 'every scheduled sale is listed');
    assert.equal(new Set(seen).size, seen.length, 'no sale twice');
    const active = (await t.app.inject({ method: 'GET', url: '/v1/flash-sales?limit=100' })).json<{
      items: SaleView[];
    }>();
    assert.ok(active.items.every((s) => s.status === 'active' || s.status === 'sold_out'));
    assert.ok(!active.items.some((s) => scheduled.some((x) => x.id === s.id)));
  });
});
