import { createFencedLock } from '@surge/redis-kit';
import { startPeriodicJob } from '../../workers/periodic-job.ts';
import { defineModule } from '../feature-module.ts';
import { createSaleStock } from '../flash-sales/sale-stock.ts';
import { ORDERS_TOPIC } from '../orders/order-events.ts';
import { createCancellationsRepo } from './cancellations-repo.ts';
import { OrderCancelled } from './deadline-events.ts';
import { createDeadlineSchedule } from './deadline-schedule.ts';
import { createPaymentDeadlines, deadlineScheduler } from './payment-deadlines.ts';
import { stockReleaser } from './stock-releaser.ts';
import * as m0013 from './migrations/0013-order-deadlines.ts';

/** As long as a sale's keys live (the orders module's tombstones). */
const TOMBSTONE_TTL_MS = 7 * 86_400_000;
const LOCK_PREFIX = 'surge:lock:';

/**
 * deadlines: a confirmed order not paid within ORDER_PAYMENT_WINDOW_MS is cancelled (a Redis due
 * schedule fed by `order.confirmed`, polled under a fenced lock, and a MySQL sweep as the safety
 * net), and the stock-releaser returns the units of cancelled and rejected orders exactly once.
 */
export const deadlinesModule = defineModule({
  name: 'deadlines',
  migrations: { '0013-order-deadlines': m0013 },
  events: [OrderCancelled],
  create(ctx) {
    const { config } = ctx;
    const log = ctx.logger.child({ module: 'deadlines' });
    const repo = createCancellationsRepo(ctx.db);
    // Per database: instances of one deployment share them; test databases never meet.
    const schedule = createDeadlineSchedule(ctx.redis, {
      key: `surge:payment-deadlines:${ctx.databaseName}`,
    });
    const lockName = `payment-deadlines:${ctx.databaseName}`;
    const deadlines = createPaymentDeadlines({
      repo,
      schedule,
      locks: createFencedLock(ctx.redis, { keyPrefix: LOCK_PREFIX, ttlMs: 15_000, log }),
      lockName,
      fencingKey: `${LOCK_PREFIX}{${lockName}}:fencing`,
      redis: ctx.redis,
      outbox: ctx.outbox,
      topic: ctx.topic,
      windowMs: config.orderPaymentWindowMs,
      log,
    });
    const stock = createSaleStock(ctx.redis, { tombstoneTtlMs: TOMBSTONE_TTL_MS });
    return {
      repo,
      schedule,
      deadlines,
      consumers: [
        {
          name: 'payment-deadline-scheduler',
          topic: ORDERS_TOPIC,
          group: 'surge-payment-deadlines',
          handle: deadlineScheduler(schedule, config.orderPaymentWindowMs),
        },
        {
          name: 'stock-releaser',
          topic: ORDERS_TOPIC,
          group: 'surge-stock-releaser',
          handle: stockReleaser({ stock, repo, log }),
        },
      ],
      jobs: [
        {
          name: 'payment-deadlines',
          start: () =>
            startPeriodicJob({
              name: 'payment-deadlines',
              intervalMs: config.paymentDeadlinePollMs,
              log,
              round: async () => {
                const n = await deadlines.pollDue();
                if (n > 0) log.info({ cancelled: n }, 'unpaid orders cancelled at their deadline');
              },
            }),
        },
        {
          name: 'payment-deadline-sweep',
          start: () =>
            startPeriodicJob({
              name: 'payment-deadline-sweep',
              intervalMs: config.paymentSweepIntervalMs,
              firstDelayMs: config.paymentSweepIntervalMs,
              log,
              round: async () => {
                const n = await deadlines.sweep();
                if (n > 0)
                  log.warn({ cancelled: n }, 'overdue orders the schedule missed cancelled by the sweep');
              },
            }),
        },
      ],
    };
  },
});
