import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { startTestApp, type TestApp } from '../../testing/test-app.ts';

interface OrderBody {
  orderId: string;
  userId: string;
  status: string;
  quantity: number;
}

describe('orders: owners read their own orders, pending ones before the row exists', () => {
  let t: TestApp;
  const alice = randomUUID();
  const bob = randomUUID();
  const auth: Record<string, Record<string, string>> = {};
  before(async () => {
    t = await startTestApp();
    auth.alice = { authorization: `Bearer ${await t.token('user', alice)}` };
    auth.bob = { authorization: `Bearer ${await t.token('user', bob)}` };
  });
  after(() => t.close());

  async function storedOrder(userId: string, status: 'confirmed' | 'rejected' = 'confirmed') {
    const now = new Date();
    const id = uuidv7();
    await t.ctx.db
      .insertInto('orders')
      .values({
        id,
        user_id: userId,
        sale_id: randomUUID(),
        quantity: 1,
        price_cents: 100,
        status,
        reject_reason: null,
        placed_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }
  const get = (url: string, who: 'alice' | 'bob') => t.app.inject({ method: 'GET', url, headers: auth[who] });

  it('answers the owner and gives anyone else the same 404 as an unknown id (G10)', async () => {
    const id = await storedOrder(alice);
    const mine = await get(`/v1/orders/${id}`, 'alice');
    assert.equal(mine.statusCode, 200, mine.body);
    assert.equal(mine.json<OrderBody>().status, 'confirmed');
    const theirs = await get(`/v1/orders/${id}`, 'bob');
    const unknown = await get(`/v1/orders/${uuidv7()}`, 'bob');
    assert.equal(theirs.statusCode, 404);
    assert.equal(unknown.statusCode, 404);
    const strip = (b: string) => ({ ...JSON.parse(b), instance: undefined }) as unknown;
    assert.deepEqual(strip(theirs.body), strip(unknown.body), 'nothing tells the two apart');
    assert.equal((await t.app.inject({ method: 'GET', url: `/v1/orders/${id}` })).statusCode, 401);
    assert.equal((await get('/v1/orders/not-an-id', 'alice')).statusCode, 400);
  });

  it('answers an accepted order as pending from Redis until the row exists, to its owner only', async () => {
    const orderId = uuidv7();
    await t.features.orders.pending.record({
      orderId,
      userId: alice,
      saleId: randomUUID(),
      quantity: 2,
      priceCents: 100,
      placedAt: new Date().toISOString(),
    });
    const res = await get(`/v1/orders/${orderId}`, 'alice');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([res.json<OrderBody>().status, res.json<OrderBody>().quantity], ['pending', 2]);
    assert.equal((await get(`/v1/orders/${orderId}`, 'bob')).statusCode, 404);
  });

  it('lists only my orders, newest first, page by page', async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push(await storedOrder(alice, i % 2 ? 'rejected' : 'confirmed'));
    await storedOrder(bob);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await get(url, 'alice');
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json<{ items: OrderBody[]; nextCursor: string | null }>();
      for (const o of body.items) assert.equal(o.userId, alice);
      seen.push(...body.items.map((o) => o.orderId));
      cursor = body.nextCursor;
    } while (cursor !== null);
    const expected = [...mine].reverse();
    assert.deepEqual(seen.slice(0, 5), expected, 'newest first');
  });
});
