import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { v7 as uuidv7 } from 'uuid';
import { createPendingOrders } from '../modules/orders/pending-orders.ts';
import { testAppBehindRedisProxy, type AppBehindRedisProxy } from '../testing/redis-behind-proxy.ts';

/**
 * Issue 8, "look for the rest of its kind": an accepted order lives only in Redis until
 * order-writer stores its row. With Redis cut (a fault proxy in front of the test's own
 * redis-server), `GET /v1/orders/{id}` and its payment used to answer 404 — "this order does not
 * exist" to the owner of an accepted order, and a payment's 404 was kept by the idempotency hook
 * for the key's lifetime. Now: 503 + Retry-After, and after healing the same key gets the real
 * answer.
 */
describe('an order not written yet while Redis is cut: 503 + Retry-After, never 404', () => {
  let setup: AppBehindRedisProxy | undefined;
  let direct: Redis | undefined;
  const alice = randomUUID();
  before(async () => {
    setup = await testAppBehindRedisProxy();
    direct = new Redis(setup.redis.server.url, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    direct?.disconnect();
    await setup?.close();
  });

  it('regression: GET /v1/orders/{id} and POST …/payment answer 503 while the pending lookup fails', async () => {
    if (!setup || !direct) throw new Error('the app did not start');
    const { t, redis } = setup;
    const { app } = t;
    const authorization = `Bearer ${await t.token('user', alice)}`;
    const orderId = uuidv7();
    await createPendingOrders(direct, { ttlSec: 60 }).record({
      orderId,
      userId: alice,
      saleId: randomUUID(),
      quantity: 1,
      priceCents: 100,
      placedAt: new Date().toISOString(),
    });
    const read = (id: string) =>
      app.inject({ method: 'GET', url: `/v1/orders/${id}`, headers: { authorization } });
    const key = `"${randomUUID()}"`;
    const pay = () =>
      app.inject({
        method: 'POST',
        url: `/v1/orders/${orderId}/payment`,
        headers: { authorization, 'idempotency-key': key },
        payload: { paymentToken: 'tok_visa' },
      });

    const up = await read(orderId);
    assert.equal(up.statusCode, 200, up.body);
    assert.equal(up.json<{ status: string }>().status, 'pending');

    await redis.proxy.set({ kind: 'cut' });
    for (const [what, res] of [
      ['the accepted order', await read(orderId)],
      ['an unknown order (cannot tell)', await read(uuidv7())],
      ['its payment', await pay()],
    ] as const) {
      const seen = `${what}: ${res.statusCode} ${res.body}`;
      assert.equal(res.statusCode, 503, seen);
      assert.equal(res.headers['retry-after'], '1', seen);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, seen);
      assert.equal(res.json<{ code: string }>().code, 'DEPENDENCY_UNAVAILABLE', seen);
    }

    await redis.proxy.heal();
    // The 503 was not kept under the key: the retry gets the real answer (still being written).
    let retried = await pay();
    for (let i = 0; i < 50 && retried.statusCode === 503; i++) {
      await new Promise((r) => setTimeout(r, 100)); // the client reconnects by itself
      retried = await pay();
    }
    assert.equal(retried.statusCode, 409, retried.body);
    assert.equal(retried.json<{ code: string }>().code, 'ORDER_NOT_PAYABLE');
    assert.equal((await read(orderId)).statusCode, 200);
  });
});
