import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import { createIdempotencyStore } from '@surge/redis-kit';
import { createBreaker, type BreakerState } from '@surge/resilience';
import { startPeriodicJob } from '../../workers/periodic-job.ts';
import { defineModule } from '../feature-module.ts';
import { createOrdersRepo } from '../orders/orders-repo.ts';
import { ORDERS_TOPIC } from '../orders/order-events.ts';
import { createPendingOrders } from '../orders/pending-orders.ts';
import { cancelledOrderRefunds } from './cancelled-order-refunds.ts';
import { createGatewayClient } from './gateway-client.ts';
import { createPayOrder, refundPending } from './pay-order.ts';
import { OrderPaid } from './payment-events.ts';
import { paymentRoutes } from './payment-routes.ts';
import { createPaymentsRepo } from './payments-repo.ts';
import * as m0012 from './migrations/0012-payments.ts';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * payments: `POST /v1/orders/{id}/payment` through the payment gateway (timeout, retries with one
 * gateway idempotency key, circuit breaker), the `payments` table, `order.paid` through the
 * outbox, the refunder job for charges that landed on orders no longer payable, and a consumer
 * of `order.cancelled` that refunds whatever the gateway still holds for a cancelled order.
 */
export const paymentsModule = defineModule({
  name: 'payments',
  migrations: { '0012-payments': m0012 },
  events: [OrderPaid],
  problems: { PAYMENT_DECLINED: 402, PAYMENT_TOKEN_INVALID: 400, ORDER_NOT_PAYABLE: 409 },
  create(ctx) {
    const { config } = ctx;
    const log = ctx.logger.child({ module: 'payments' });
    const stateGauge = new Gauge({
      name: 'surge_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['breaker'],
      registers: [ctx.metrics],
    });
    const breaker = createBreaker({
      name: 'payment-gateway',
      consecutiveFailures: config.payments.breakerFailures,
      halfOpenAfterMs: config.payments.breakerHalfOpenMs,
      onStateChange(state) {
        stateGauge.set({ breaker: 'payment-gateway' }, STATE_VALUE[state]);
        (state === 'open' ? log.warn.bind(log) : log.info.bind(log))(
          { breaker: 'payment-gateway', state },
          `payment gateway breaker ${state}`,
        );
      },
    });
    stateGauge.set({ breaker: 'payment-gateway' }, 0);
    const gateway = createGatewayClient({
      url: config.payments.gatewayUrl,
      apiKey: config.payments.gatewayApiKey,
      timeoutMs: config.payments.timeoutMs,
      retries: config.payments.retries,
      breaker,
      log,
    });
    const payments = createPaymentsRepo(ctx.db);
    const pay = createPayOrder({
      orders: createOrdersRepo(ctx.db),
      pending: createPendingOrders(ctx.redis, { ttlSec: 86_400 }),
      payments,
      gateway,
      outbox: ctx.outbox,
      topic: ctx.topic,
      currency: config.payments.currency,
      log,
    });
    const idempotency = createIdempotencyStore(ctx.redis, { keyPrefix: `surge:idem:${ctx.databaseName}:` });
    return {
      payments,
      gateway,
      routes: async (app: FastifyInstance) => {
        await app.register(paymentRoutes, { pay, idempotency, breakers: [breaker] });
      },
      consumers: [
        {
          name: 'cancelled-order-refunds',
          topic: ORDERS_TOPIC,
          group: 'surge-cancelled-order-refunds',
          handle: cancelledOrderRefunds({ gateway, payments, log }),
        },
      ],
      jobs: [
        {
          name: 'refunder',
          start: () =>
            startPeriodicJob({
              name: 'refunder',
              intervalMs: 30_000,
              firstDelayMs: 10_000,
              log,
              round: async () => {
                const done = await refundPending({ payments, gateway, olderThanMs: 10_000, log });
                if (done > 0) log.info({ refunded: done }, 'pending refunds done');
              },
            }),
        },
      ],
    };
  },
});
