import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { startGateway, type RunningGateway } from '@surge/payment-gateway';
import { eventually } from '@surge/test-support';
import { startTestApp, type TestApp } from '../../testing/test-app.ts';
import { silentLog } from '@surge/resilience';
import { OrderCancelled } from '../deadlines/deadline-events.ts';
import { createPendingOrders } from '../orders/pending-orders.ts';
import { cancelledOrderRefunds } from './cancelled-order-refunds.ts';

const API_KEY = 'sk_test_payments_int';

interface GatewayCharge {
  id: string;
  status: string;
  refunded: boolean;
  amount: number;
}

/**
 * Payments against the real gateway simulator (its own listeners, real sockets) and the real
 * Redis/MySQL: what a client sees, what MySQL holds, and — from the gateway's own books — that
 * no order is ever charged twice or keeps a charge it did not get paid for.
 */
describe('payments: POST /v1/orders/{id}/payment through the gateway', () => {
  let gw: RunningGateway;
  let t: TestApp;
  const alice = randomUUID();
  const bob = randomUUID();
  const auth: Record<string, string> = {};
  before(async () => {
    gw = await startGateway({ port: 0, adminPort: 0, apiKey: API_KEY, logLevel: 'silent' });
    t = await startTestApp({
      PAYMENT_GATEWAY_URL: gw.url,
      PAYMENT_GATEWAY_API_KEY: API_KEY,
      PAYMENT_GATEWAY_TIMEOUT_MS: '300',
      PAYMENT_GATEWAY_RETRIES: '2',
      PAYMENT_BREAKER_FAILURES: '3',
      PAYMENT_BREAKER_HALF_OPEN_MS: '500',
    });
    auth.alice = `Bearer ${await t.token('user', alice)}`;
    auth.bob = `Bearer ${await t.token('user', bob)}`;
    auth.admin = `Bearer ${await t.token('admin')}`;
  });
  after(async () => {
    await t?.close();
    await gw?.close();
  });

  async function confirmedOrder(userId = alice, status: 'confirmed' | 'cancelled' = 'confirmed') {
    const now = new Date();
    const id = uuidv7();
    await t.ctx.db
      .insertInto('orders')
      .values({
        id,
        user_id: userId,
        sale_id: randomUUID(),
        quantity: 2,
        price_cents: 1_250,
        status,
        reject_reason: null,
        placed_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }
  const pay = (orderId: string, token: string, opts: { key?: string; who?: string } = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/orders/${orderId}/payment`,
      headers: {
        authorization: auth[opts.who ?? 'alice'] ?? '',
        ...(opts.key === '' ? {} : { 'idempotency-key': `"${opts.key ?? randomUUID()}"` }),
      },
      payload: { paymentToken: token },
    });
  const statusOf = async (orderId: string) =>
    (await t.ctx.db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow())
      .status;
  const chargesAtGateway = async (orderId: string): Promise<GatewayCharge[]> => {
    const res = await fetch(`${gw.url}/charges?orderId=${orderId}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    return ((await res.json()) as { data: GatewayCharge[] }).data;
  };
  const kept = (charges: GatewayCharge[]) => charges.filter((c) => c.status === 'succeeded' && !c.refunded);
  const normal = () =>
    gw.setBehaviour({ latencyMs: 0, jitterMs: 0, errorRate: 0, outage: 'none', loseResponseRate: 0 });

  it('pays a confirmed order once: 200 paid, the row and order.paid in MySQL, a replay is byte-identical', async () => {
    const orderId = await confirmedOrder();
    const key = randomUUID();
    const first = await pay(orderId, 'tok_visa', { key });
    assert.equal(first.statusCode, 200, first.body);
    const body = first.json<{ status: string; amountCents: number; chargeId: string }>();
    assert.equal(body.status, 'paid');
    assert.equal(body.amountCents, 2_500, 'price × quantity');
    const replay = await pay(orderId, 'tok_visa', { key });
    assert.deepEqual([replay.statusCode, replay.body], [200, first.body]);
    assert.equal(await statusOf(orderId), 'paid');
    const rows = await t.ctx.db.selectFrom('payments').selectAll().where('order_id', '=', orderId).execute();
    assert.deepEqual(
      rows.map((r) => [r.charge_id, r.status, Number(r.amount_cents)]),
      [[body.chargeId, 'captured', 2_500]],
    );
    const events = await t.ctx.db
      .selectFrom('outbox')
      .select('type')
      .where('msg_key', '=', orderId)
      .execute();
    assert.deepEqual(
      events.map((e) => e.type),
      ['surge.order.paid.v1'],
      'order.paid in the outbox, once',
    );
    assert.equal(kept(await chargesAtGateway(orderId)).length, 1);
    // Paying it again with another key: not payable.
    const again = await pay(orderId, 'tok_visa');
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(again.json<{ code: string }>().code, 'ORDER_NOT_PAYABLE');
    assert.equal(kept(await chargesAtGateway(orderId)).length, 1, 'no second charge');
  });

  it('a declined card is 402 with the reason and leaves the order payable by another card', async () => {
    const orderId = await confirmedOrder();
    const declined = await pay(orderId, 'tok_insufficientFunds');
    assert.equal(declined.statusCode, 402, declined.body);
    const problem = declined.json<{ code: string; reason: string }>();
    assert.deepEqual([problem.code, problem.reason], ['PAYMENT_DECLINED', 'insufficient_funds']);
    assert.equal(await statusOf(orderId), 'confirmed');
    const paid = await pay(orderId, 'tok_mastercard');
    assert.equal(paid.statusCode, 200, paid.body);
  });

  it('refuses what is not payable or not yours, with stable codes', async () => {
    const orderId = await confirmedOrder();
    const theirs = await pay(orderId, 'tok_visa', { who: 'bob' });
    const unknown = await pay(uuidv7(), 'tok_visa', { who: 'bob' });
    assert.deepEqual([theirs.statusCode, unknown.statusCode], [404, 404]);
    assert.equal(
      (await pay(orderId, 'tok_visa', { key: '' })).json<{ code: string }>().code,
      'IDEMPOTENCY_KEY_MISSING',
    );
    const badToken = await pay(orderId, 'tok_stolen');
    assert.deepEqual(
      [badToken.statusCode, badToken.json<{ code: string }>().code],
      [400, 'PAYMENT_TOKEN_INVALID'],
    );
    const cancelled = await pay(await confirmedOrder(alice, 'cancelled'), 'tok_visa');
    assert.deepEqual(
      [cancelled.statusCode, cancelled.json<{ code: string }>().code],
      [409, 'ORDER_NOT_PAYABLE'],
    );
    // Accepted but not written yet: 409 with Retry-After.
    const pendingId = uuidv7();
    await createPendingOrders(t.ctx.redis, { ttlSec: 60 }).record({
      orderId: pendingId,
      userId: alice,
      saleId: randomUUID(),
      quantity: 1,
      priceCents: 100,
      placedAt: new Date().toISOString(),
    });
    const pending = await pay(pendingId, 'tok_visa');
    assert.equal(pending.statusCode, 409, pending.body);
    assert.equal(pending.headers['retry-after'], '1');
    assert.equal(
      (await pay(pendingId, 'tok_visa', { who: 'bob' })).statusCode,
      404,
      'pending, but not yours',
    );
    for (const body of [
      {},
      { paymentToken: '' },
      { paymentToken: 'tok visa' },
      { paymentToken: 'x', extra: 1 },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/orders/${orderId}/payment`,
        headers: { authorization: auth.alice ?? '', 'idempotency-key': randomUUID() },
        payload: body,
      });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
    }
    assert.equal(await statusOf(orderId), 'confirmed', 'none of that touched the order');
  });

  it('"charged but the response is lost": our retry with the same gateway key gets the one charge', async () => {
    const orderId = await confirmedOrder();
    await gw.setBehaviour({ loseResponseRate: 1 });
    try {
      const res = await pay(orderId, 'tok_visa');
      assert.equal(res.statusCode, 200, res.body);
    } finally {
      await normal();
    }
    const charges = await chargesAtGateway(orderId);
    assert.equal(charges.length, 1, JSON.stringify(charges));
    assert.equal(await statusOf(orderId), 'paid');
  });

  it('a charge that lands after the order was cancelled is refunded, and the client gets 409', async () => {
    const orderId = await confirmedOrder();
    await gw.setBehaviour({ latencyMs: 150 });
    try {
      const paying = pay(orderId, 'tok_visa');
      // The deadline wins the race while the gateway is charging.
      await eventually('the charge to be running', async () =>
        (await chargesAtGateway(orderId)).length === 0 ? true : undefined,
      );
      await t.ctx.db
        .updateTable('orders')
        .set({ status: 'cancelled' })
        .where('id', '=', orderId)
        .where('status', '=', 'confirmed')
        .execute();
      const res = await paying;
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json<{ code: string }>().code, 'ORDER_NOT_PAYABLE');
    } finally {
      await normal();
    }
    assert.equal(await statusOf(orderId), 'cancelled');
    const charges = await chargesAtGateway(orderId);
    assert.equal(charges.length, 1);
    assert.equal(charges[0]?.refunded, true, 'refunded at the gateway');
    const row = await t.ctx.db
      .selectFrom('payments')
      .selectAll()
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'refunded');
  });

  it('two cards paying one order at once: one is paid, the other charge is refunded', async () => {
    const orderId = await confirmedOrder();
    await gw.setBehaviour({ latencyMs: 50 });
    let answers;
    try {
      answers = await Promise.all([pay(orderId, 'tok_visa'), pay(orderId, 'tok_mastercard')]);
    } finally {
      await normal();
    }
    assert.deepEqual(
      answers.map((a) => a.statusCode).sort(),
      [200, 409],
      answers.map((a) => a.body).join('\n'),
    );
    assert.equal(kept(await chargesAtGateway(orderId)).length, 1, 'exactly one charge kept');
    assert.equal(await statusOf(orderId), 'paid');
  });

  it('gateway down: 503 with Retry-After, fast once the breaker opens; other routes unaffected; heals by itself', async () => {
    const orderId = await confirmedOrder();
    const breaker = async () =>
      (
        await t.app.inject({
          method: 'GET',
          url: '/v1/admin/breakers',
          headers: { authorization: auth.admin ?? '' },
        })
      ).json<{ items: Array<{ name: string; state: string }> }>().items[0]?.state;
    assert.equal(await breaker(), 'closed');
    await gw.setBehaviour({ outage: 'refuse' });
    try {
      const first = await pay(orderId, 'tok_visa');
      assert.equal(first.statusCode, 503, first.body);
      assert.ok(first.headers['retry-after'], 'Retry-After');
      await eventually('the breaker to open', async () => {
        await pay(orderId, 'tok_visa');
        return (await breaker()) === 'open' ? true : undefined;
      });
      const fast = await pay(orderId, 'tok_visa');
      assert.equal(fast.statusCode, 503);
      assert.equal(fast.json<{ code: string }>().code, 'DEPENDENCY_UNAVAILABLE');
      const read = await t.app.inject({
        method: 'GET',
        url: `/v1/orders/${orderId}`,
        headers: { authorization: auth.alice ?? '' },
      });
      assert.equal(read.statusCode, 200, 'reading the order does not need the gateway');
      assert.equal(
        (
          await t.app.inject({
            method: 'GET',
            url: '/v1/admin/breakers',
            headers: { authorization: auth.alice ?? '' },
          })
        ).statusCode,
        403,
      );
    } finally {
      await normal();
    }
    await eventually('a payment to succeed after the gateway is back', async () => {
      const res = await pay(orderId, 'tok_visa');
      return res.statusCode === 200 ? true : undefined;
    });
    assert.equal(await breaker(), 'closed');
    assert.equal(kept(await chargesAtGateway(orderId)).length, 1);
  });

  it('gateway hanging: slow 503s until the breaker opens, then fast ones; measured until the first payment after recovery', async (test) => {
    const orderId = await confirmedOrder();
    await gw.setBehaviour({ outage: 'hang' });
    const outageAt = performance.now();
    const timings: number[] = [];
    let fastAt: number | undefined;
    try {
      for (let i = 0; i < 20 && fastAt === undefined; i++) {
        const started = performance.now();
        const res = await pay(orderId, 'tok_visa');
        const ms = performance.now() - started;
        assert.equal(res.statusCode, 503, res.body);
        assert.ok(res.headers['retry-after']);
        timings.push(Math.round(ms));
        // Every attempt of a call waits out its timeout (300 ms here); a refused call sends nothing.
        if (ms < 100) fastAt = performance.now();
      }
      assert.ok(fastAt !== undefined, `payments never failed fast: ${timings.join(', ')} ms`);
    } finally {
      await normal();
    }
    const healedAt = performance.now();
    const paid = await eventually('a payment to succeed after the gateway answers again', async () => {
      const res = await pay(orderId, 'tok_visa');
      return res.statusCode === 200 ? performance.now() : undefined;
    });
    test.diagnostic(
      `breaker (3 failures, half-open after 500 ms; call timeout 300 ms, 2 retries): 503 latencies ${timings.join(', ')} ms; ` +
        `outage → fast 503s ${Math.round(fastAt - outageAt)} ms; recovery → first payment ${Math.round(paid - healedAt)} ms`,
    );
    assert.equal(kept(await chargesAtGateway(orderId)).length, 1);
  });

  it('a charge payment never recorded is refunded once when its order is cancelled (redelivered too)', async () => {
    const orderId = await confirmedOrder();
    // The payment request died between the gateway's answer and its commit: a charge, no row.
    const charged = await fetch(`${gw.url}/charges`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${API_KEY}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({ amount: 2_500, currency: 'usd', token: 'tok_visa', orderId }),
    });
    assert.equal(charged.status, 201);
    await t.ctx.db.updateTable('orders').set({ status: 'cancelled' }).where('id', '=', orderId).execute();
    const handle = cancelledOrderRefunds({
      gateway: t.features.payments.gateway,
      payments: t.features.payments.payments,
      log: silentLog,
    });
    const m = OrderCancelled.create(
      {
        orderId,
        saleId: randomUUID(),
        userId: alice,
        quantity: 2,
        reason: 'PAYMENT_TIMEOUT',
        cancelledAt: new Date().toISOString(),
      },
      { key: orderId, source: '/test' },
    );
    const delivery = {
      ...m,
      topic: 'surge.orders.v1',
      partition: 0,
      offset: '0',
      timestamp: Date.now(),
      deliveryAttempt: 1,
    };
    const never = new AbortController().signal;
    await handle(delivery, never);
    await handle({ ...delivery, deliveryAttempt: 2 }, never);
    const charges = await chargesAtGateway(orderId);
    assert.equal(charges.length, 1);
    assert.equal(charges[0]?.refunded, true);
    const stats = (await (await fetch(`${gw.adminUrl}/stats`)).json()) as { refunds: number };
    assert.ok(stats.refunds >= 1);
    const rows = await t.ctx.db.selectFrom('payments').selectAll().where('order_id', '=', orderId).execute();
    assert.deepEqual(
      rows.map((r) => [r.charge_id, r.status]),
      [[charges[0]?.id, 'refunded']],
    );
    const detail = await fetch(`${gw.url}/charges/${charges[0]?.id ?? ''}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(((await detail.json()) as { refunds: string[] }).refunds.length, 1, 'refunded once');
  });
});
