import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { freePort, eventually } from '@surge/test-support';
import { startTestApp, type TestApp } from '../../testing/test-app.ts';
import { waitForTopic } from '../../testing/kafka-topics.ts';
import { ORDERS_TOPIC } from '../orders/order-events.ts';
import { saleKeys } from './sale-stock.ts';

/** The worker role provisions topics in the background; placements need the orders topic. */
const topicsProvisioned = (t: TestApp) => waitForTopic(t.config.kafkaBrokers, t.ctx.topic(ORDERS_TOPIC));

/** Creates a product and a sale through the admin API of `t`. */
async function openSale(t: TestApp, sales: string[], over: object = {}) {
  const admin = { authorization: `Bearer ${await t.token('admin', uuidv7())}` };
  const product = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/products',
    payload: { name: 'Placement test', priceCents: 1_000 },
    headers: admin,
  });
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/flash-sales',
    headers: admin,
    payload: {
      productId: product.json<{ id: string }>().id,
      stock: 10,
      priceCents: 700,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      perUserLimit: 3,
      ...over,
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  const id = res.json<{ id: string }>().id;
  sales.push(id);
  return id;
}

describe('order placement: reserve, publish with ack, 202; idempotent by key', () => {
  let t: TestApp;
  const sales: string[] = [];
  before(async () => {
    t = await startTestApp({ SALE_REMAINING_REFRESH_MS: '0' }, { workers: true });
    await topicsProvisioned(t);
  });
  after(async () => {
    const keys = sales.flatMap((id) => Object.values(saleKeys(id)));
    if (keys.length > 0) await t.ctx.redis.unlink(...keys);
    await t.close();
  });

  const buyer = async () => {
    const sub = randomUUID();
    return { sub, authorization: `Bearer ${await t.token('user', sub)}` };
  };
  const buy = (saleId: string, who: { authorization: string }, quantity: number, key?: string) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/flash-sales/${saleId}/orders`,
      headers: { authorization: who.authorization, ...(key === undefined ? {} : { 'idempotency-key': key }) },
      payload: { quantity },
    });
  const remaining = async (saleId: string) => Number(await t.ctx.redis.get(saleKeys(saleId).stock));

  it('accepts an order (202 + Location), takes its units, and the order-writer stores it', async () => {
    const saleId = await openSale(t, sales);
    const alice = await buyer();
    const res = await buy(saleId, alice, 2, `"${randomUUID()}"`);
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json<{ orderId: string; status: string; saleId: string; quantity: number }>();
    assert.deepEqual(
      { ...body, orderId: undefined },
      { orderId: undefined, status: 'pending', saleId, quantity: 2 },
    );
    assert.equal(res.headers.location, `/v1/orders/${body.orderId}`);
    assert.equal(await remaining(saleId), 8);
    const stored = await eventually<{ quantity: number }>('the confirmed order', async () => {
      const r = await t.app.inject({ method: 'GET', url: `/v1/orders/${body.orderId}`, headers: alice });
      return r.statusCode === 200 && r.json<{ status: string }>().status === 'confirmed'
        ? r.json()
        : undefined;
    });
    assert.equal(stored.quantity, 2);
  });

  it('replays a completed request byte for byte, refuses the key with another body, takes stock once', async () => {
    const saleId = await openSale(t, sales);
    const bob = await buyer();
    const key = randomUUID();
    const first = await buy(saleId, bob, 1, key);
    assert.equal(first.statusCode, 202, first.body);
    const again = await buy(saleId, bob, 1, `"${key}"`); // the structured-field form names the same key
    assert.equal(again.statusCode, 202);
    assert.equal(again.body, first.body, 'byte for byte');
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.headers.location, first.headers.location);
    assert.equal(await remaining(saleId), 9);
    const changed = await buy(saleId, bob, 2, key);
    assert.equal(changed.statusCode, 422, changed.body);
    assert.equal(changed.json<{ code: string }>().code, 'IDEMPOTENCY_KEY_REUSED');
    // Another user's identical key is another key.
    const carol = await buyer();
    assert.equal((await buy(saleId, carol, 1, key)).statusCode, 202);
    assert.equal(await remaining(saleId), 8);
  });

  it('lets exactly one of many parallel requests with one key run', async () => {
    const saleId = await openSale(t, sales);
    const dave = await buyer();
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 20 }, () => buy(saleId, dave, 1, key)));
    const codes = results.map((r) => r.statusCode);
    assert.ok(
      codes.every((c) => c === 202 || c === 409),
      codes.join(','),
    );
    const orderIds = new Set(
      results.filter((r) => r.statusCode === 202).map((r) => r.json<{ orderId: string }>().orderId),
    );
    assert.equal(orderIds.size, 1, 'one order, whatever the interleaving');
    for (const r of results.filter((x) => x.statusCode === 409)) {
      assert.equal(r.json<{ code: string }>().code, 'IDEMPOTENCY_KEY_IN_USE');
      assert.ok(Number(r.headers['retry-after']) >= 1);
    }
    assert.equal(await remaining(saleId), 9);
  });

  it('refuses what it must with stable codes: missing or bad key, limit, sold out, not started', async () => {
    const saleId = await openSale(t, sales, { stock: 4, perUserLimit: 3 });
    const erin = await buyer();
    const missing = await buy(saleId, erin, 1);
    assert.deepEqual(
      [missing.statusCode, missing.json<{ code: string }>().code],
      [400, 'IDEMPOTENCY_KEY_MISSING'],
    );
    const long = await buy(saleId, erin, 1, 'k'.repeat(256));
    assert.deepEqual([long.statusCode, long.json<{ code: string }>().code], [400, 'IDEMPOTENCY_KEY_INVALID']);
    assert.equal((await buy(saleId, erin, 2, randomUUID())).statusCode, 202);
    const limit = await buy(saleId, erin, 2, randomUUID());
    assert.deepEqual([limit.statusCode, limit.json<{ code: string }>().code], [409, 'LIMIT_EXCEEDED']);
    const frank = await buyer();
    const tooMany = await buy(saleId, frank, 3, randomUUID());
    assert.deepEqual([tooMany.statusCode, tooMany.json<{ code: string }>().code], [409, 'SOLD_OUT']);
    assert.equal((await buy(saleId, frank, 2, randomUUID())).statusCode, 202);
    const gone = await buy(saleId, await buyer(), 1, randomUUID());
    assert.deepEqual([gone.statusCode, gone.json<{ code: string }>().code], [409, 'SOLD_OUT']);
    const later = await openSale(t, sales, {
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 7_200_000).toISOString(),
    });
    const early = await buy(later, erin, 1, randomUUID());
    assert.deepEqual([early.statusCode, early.json<{ code: string }>().code], [409, 'SALE_NOT_ACTIVE']);
    const unknown = await buy(uuidv7(), erin, 1, randomUUID());
    assert.equal(unknown.statusCode, 404);
    assert.equal(
      (
        await t.app.inject({
          method: 'POST',
          url: `/v1/flash-sales/${saleId}/orders`,
          payload: { quantity: 1 },
        })
      ).statusCode,
      401,
    );
  });
});

describe('order placement while Kafka is unreachable', () => {
  let t: TestApp;
  const sales: string[] = [];
  before(async () => {
    // A port nothing listens on: every produce fails; the units must come back and the 503 must not be stored.
    t = await startTestApp({
      KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
      ORDER_PUBLISH_TIMEOUT_MS: '1000',
    });
  });
  after(async () => {
    const keys = sales.flatMap((id) => Object.values(saleKeys(id)));
    if (keys.length > 0) await t.ctx.redis.unlink(...keys);
    await t.close();
  });

  it('answers 503 + Retry-After, returns the units, and lets the same key try again', async () => {
    const saleId = await openSale(t, sales);
    const sub = randomUUID();
    const who = { authorization: `Bearer ${await t.token('user', sub)}` };
    const key = randomUUID();
    for (let i = 0; i < 2; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/flash-sales/${saleId}/orders`,
        headers: { ...who, 'idempotency-key': key },
        payload: { quantity: 2 },
      });
      assert.equal(res.statusCode, 503, res.body);
      assert.ok(Number(res.headers['retry-after']) >= 1);
      assert.notEqual(res.headers['idempotent-replayed'], 'true', 'a 503 is never replayed');
      assert.equal(await t.ctx.redis.get(saleKeys(saleId).stock), '10', 'the units came back');
      assert.equal(await t.ctx.redis.hget(saleKeys(saleId).users, sub), null, 'and the buyer’s limit');
    }
  });
});

describe('order placement rate limits (per buyer, per client IP, per sale)', () => {
  let t: TestApp;
  const sales: string[] = [];
  before(async () => {
    // Workers provision the topics the placements publish to.
    t = await startTestApp(
      { RATE_LIMIT_PLACEMENT_USER: '2/1m', RATE_LIMIT_PLACEMENT_SALE: '4/1m' },
      { workers: true },
    );
  });
  after(async () => {
    const keys = sales.flatMap((id) => Object.values(saleKeys(id)));
    if (keys.length > 0) await t.ctx.redis.unlink(...keys);
    await t.close();
  });

  it('answers 429 + Retry-After + RateLimit fields before the key or the stock is touched', async () => {
    const saleId = await openSale(t, sales, { stock: 100, perUserLimit: 100 });
    const who = { authorization: `Bearer ${await t.token('user')}` };
    const buy = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/flash-sales/${saleId}/orders`,
        headers: { ...headers, 'idempotency-key': randomUUID() },
        payload: { quantity: 1 },
      });
    assert.equal((await buy(who)).statusCode, 202);
    assert.equal((await buy(who)).statusCode, 202);
    const limited = await buy(who);
    assert.equal(limited.statusCode, 429, limited.body);
    assert.equal(limited.json<{ code: string }>().code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.match(String(limited.headers['ratelimit-policy']), /"placement-user";q=2;w=60/);
    assert.equal(await t.ctx.redis.get(saleKeys(saleId).stock), '98', 'a refused request takes nothing');
    // The sale's budget over every buyer: two more buyers, then the sale says no.
    const others = await Promise.all(
      [1, 2, 3].map(async () => ({ authorization: `Bearer ${await t.token('user')}` })),
    );
    const answers = [];
    for (const o of others) answers.push((await buy(o)).statusCode);
    assert.deepEqual(answers, [202, 202, 429]);
  });
});
