import type { Message, Outbox } from '@surge/messaging';
import { isBreakerOpenError, type Log } from '@surge/resilience';
import { EVENT_SOURCE } from '../../context.ts';
import type { Database } from '../../db/schema.ts';
import { DomainError, dependencyUnavailable, notFound } from '../../errors.ts';
import type { OrdersRepo } from '../orders/orders-repo.ts';
import type { PendingOrders } from '../orders/pending-orders.ts';
import type { GatewayClient } from './gateway-client.ts';
import { OrderPaid } from './payment-events.ts';
import type { PaymentsRepo } from './payments-repo.ts';

export interface PaymentRequest {
  orderId: string;
  userId: string;
  paymentToken: string;
  headers?: Record<string, string>;
}

export interface PaidOrder {
  orderId: string;
  status: 'paid';
  chargeId: string;
  amountCents: number;
  currency: string;
  paidAt: string;
}

const notPayable = (detail: string, retryAfterSec?: number) =>
  new DomainError('ORDER_NOT_PAYABLE', detail, retryAfterSec === undefined ? {} : { retryAfterSec });

/**
 * Pays a confirmed order (docs/architecture.md, order pipeline step 6): owner only; the gateway
 * charges price × quantity under a key derived from the order and the card, so no retry charges
 * twice; the charge is recorded and the order goes `confirmed → paid` in one transaction with
 * `order.paid` in the outbox. A charge that lands on an order that stopped being payable meanwhile
 * (its deadline cancelled it, or another card paid it) is refunded at once — or by the refunder
 * job if the gateway cannot be reached — and the client gets 409.
 */
export function createPayOrder(deps: {
  orders: OrdersRepo;
  pending: PendingOrders;
  payments: PaymentsRepo;
  gateway: GatewayClient;
  outbox: Outbox;
  topic: (base: string) => string;
  currency: string;
  log: Log;
}) {
  const { orders, payments, gateway, log } = deps;

  const unavailable = (err: unknown) => {
    const e = dependencyUnavailable('the payment gateway', err);
    if (!isBreakerOpenError(err)) return e;
    return new DomainError(e.code, e.message, {
      cause: err,
      retryAfterSec: Math.max(1, Math.ceil(err.retryAfterMs / 1000)),
    });
  };

  return async function pay(req: PaymentRequest, signal?: AbortSignal): Promise<PaidOrder> {
    const order = await orders.findById(req.orderId);
    if (!order) {
      // Not caught: a Redis error here is "cannot tell yet" (503, retry) — answering 404 would
      // tell the owner of an accepted order that it does not exist, and the idempotency hook
      // keeps every answer below 500 for the key's lifetime.
      const accepted = await deps.pending.find(req.orderId);
      if (accepted && accepted.userId === req.userId) {
        throw notPayable('the order is still being written; retry shortly', 1);
      }
      throw notFound('order');
    }
    if (order.userId !== req.userId) throw notFound('order');
    if (order.status !== 'confirmed') throw notPayable(`the order is ${order.status}`);

    const amountCents = order.priceCents * order.quantity;
    const charged = await gateway
      .charge(
        { orderId: order.orderId, amountCents, currency: deps.currency, token: req.paymentToken },
        signal,
      )
      .catch((err: unknown) => {
        if ((err as Error).name === 'GatewayRejectedError') {
          log.error(
            { err, orderId: order.orderId },
            'payment gateway refused our request (API key? parameters?)',
          );
        }
        throw unavailable(err);
      });
    if (charged.kind === 'declined') {
      throw new DomainError('PAYMENT_DECLINED', charged.message, { reason: charged.declineCode });
    }
    if (charged.kind === 'invalid-token') {
      throw new DomainError('PAYMENT_TOKEN_INVALID', 'the payment token is not known to the gateway');
    }

    const ref = {
      orderId: order.orderId,
      saleId: order.saleId,
      userId: order.userId,
      quantity: order.quantity,
    };
    const recorded = await payments.recordCharge(
      {
        chargeId: charged.chargeId,
        orderId: order.orderId,
        userId: order.userId,
        amountCents,
        currency: deps.currency,
      },
      (trx, paidAt) => {
        const event: Message = OrderPaid.create(
          {
            ...ref,
            amountCents,
            currency: deps.currency,
            chargeId: charged.chargeId,
            paidAt: paidAt.toISOString(),
          },
          { key: order.orderId, subject: order.orderId, source: EVENT_SOURCE, headers: req.headers ?? {} },
        );
        return deps.outbox.add<Database>(trx, deps.topic(OrderPaid.topic), event);
      },
    );
    if (recorded.kind === 'refund-needed') {
      log.warn(
        { orderId: order.orderId, chargeId: charged.chargeId },
        'charge for an order no longer payable; refunding',
      );
      await refundNow(charged.chargeId);
      const now = await orders.statusOf(order.orderId);
      throw notPayable(`the order is ${now ?? 'gone'}; the charge was refunded`);
    }
    deps.outbox.notify();
    return {
      orderId: order.orderId,
      status: 'paid',
      chargeId: charged.chargeId,
      amountCents,
      currency: deps.currency,
      paidAt: recorded.paidAt.toISOString(),
    };
  };

  /** Refunds now if the gateway answers; otherwise the refunder job retries it (the row says refund_pending). */
  async function refundNow(chargeId: string) {
    try {
      const { refundId } = await gateway.refund(chargeId);
      await payments.markRefunded(chargeId, refundId);
    } catch (err) {
      log.warn({ err, chargeId }, 'refund failed; the refunder job retries it');
    }
  }
}

export type PayOrder = ReturnType<typeof createPayOrder>;

/**
 * The refunder job's pass: refunds every charge left `refund_pending` (its immediate refund
 * failed) for longer than `olderThanMs`. Idempotent: the refund key is the charge's.
 */
export async function refundPending(deps: {
  payments: PaymentsRepo;
  gateway: GatewayClient;
  olderThanMs: number;
  log: Log;
}): Promise<number> {
  let done = 0;
  for (const chargeId of await deps.payments.refundsPending(deps.olderThanMs, 100)) {
    try {
      const { refundId } = await deps.gateway.refund(chargeId);
      await deps.payments.markRefunded(chargeId, refundId);
      done++;
    } catch (err) {
      deps.log.warn({ err, chargeId }, 'refund still failing; next pass retries it');
    }
  }
  return done;
}
