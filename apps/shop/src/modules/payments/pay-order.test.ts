import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Outbox } from '@surge/messaging';
import { isTransient, type Log } from '@surge/resilience';
import { DomainError } from '../../errors.ts';
import type { OrdersRepo } from '../orders/orders-repo.ts';
import type { PendingOrders } from '../orders/pending-orders.ts';
import type { GatewayClient } from './gateway-client.ts';
import { createPayOrder } from './pay-order.ts';
import type { PaymentsRepo } from './payments-repo.ts';

const quiet: Log = { debug() {}, info() {}, warn() {}, error() {} };
const unused = <T>(what: string) =>
  new Proxy(
    {},
    {
      get: () => () => {
        throw new Error(`${what} must not be reached`);
      },
    },
  ) as T;

/** Pure logic: the order row is missing and the pending-order lookup is what decides the answer. */
function payWith(pending: PendingOrders['find']) {
  return createPayOrder({
    orders: { findById: () => Promise.resolve(undefined) } as unknown as OrdersRepo,
    pending: { find: pending } as unknown as PendingOrders,
    payments: unused<PaymentsRepo>('payments'),
    gateway: unused<GatewayClient>('the gateway'),
    outbox: unused<Outbox>('the outbox'),
    topic: (base) => base,
    currency: 'EUR',
    log: quiet,
  });
}

const request = { orderId: 'o-1', userId: 'u-1', paymentToken: 'tok_visa' };

describe('pay: an order not written yet', () => {
  it('regression: a Redis error on the pending lookup is passed on (503 by the error handler), not answered 404', async () => {
    const redisDown = new Error('Connection is closed.');
    const pay = payWith(() => Promise.reject(redisDown));
    await assert.rejects(pay(request), (err: unknown) => {
      // Before: caught, then `notFound('order')` — a 404 the idempotency hook kept for the
      // key's lifetime, telling the owner of an accepted order that it does not exist.
      assert.equal(err, redisDown);
      assert.ok(isTransient(err), 'classified transient: the error handler answers 503 + Retry-After');
      return true;
    });
  });

  it('accepted and the caller’s: 409 ORDER_NOT_PAYABLE with a retry hint; someone else’s or unknown: 404', async () => {
    const accepted = {
      orderId: 'o-1',
      userId: 'u-1',
      saleId: 's-1',
      quantity: 1,
      priceCents: 100,
      placedAt: new Date().toISOString(),
    };
    const codeOf = async (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: unknown) => (e instanceof DomainError ? `${e.code}/${e.retryAfterSec ?? '-'}` : String(e)),
      );
    const pay = payWith(() => Promise.resolve(accepted));
    assert.equal(await codeOf(pay(request)), 'ORDER_NOT_PAYABLE/1');
    assert.equal(await codeOf(pay({ ...request, userId: 'u-2' })), 'NOT_FOUND/-');
    assert.equal(await codeOf(payWith(() => Promise.resolve(undefined))(request)), 'NOT_FOUND/-');
  });
});
