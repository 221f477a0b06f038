import type { FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import { createFencedLock } from '@surge/redis-kit';
import { startPeriodicJob } from '../../workers/periodic-job.ts';
import { defineModule } from '../feature-module.ts';
import { createSaleStock } from '../flash-sales/sale-stock.ts';
import { createOrdersRepo } from '../orders/orders-repo.ts';
import { createReconciler } from './reconciler.ts';
import { createReconciliationRepo } from './reconciliation-repo.ts';
import { reconciliationRoutes } from './reconciliation-routes.ts';
import { createSaleSnapshots } from './sale-snapshot.ts';

/** As long as a sale's keys live (flash-sales' retention): tombstones of unknown orderIds. */
const TOMBSTONE_TTL_MS = 7 * 86_400_000;
/** Sales over for less than this are still reconciled: reservations made just before the end. */
const ENDED_WITHIN_MS = 3_600_000;
/** Stale candidates looked at per sale per round. */
const BATCH = 1_000;

/**
 * reconciliation (SPEC §2 step 7, issue 10): every RECONCILE_INTERVAL_MS one worker releases
 * reservations placement left `reserved` (crash between reserve and publish, failed release) and
 * exports each active sale's stock drift (`surge_stock_drift_units`); the last report of a sale
 * is at `GET /v1/admin/flash-sales/{id}/reconciliation`.
 */
export const reconciliationModule = defineModule({
  name: 'reconciliation',
  create(ctx) {
    const { config } = ctx;
    const log = ctx.logger.child({ module: 'reconciliation' });
    const drift = new Gauge({
      name: 'surge_stock_drift_units',
      help: 'Expected Redis remaining (stock − units of orders holding stock) − Redis remaining, per sale; exported by the reconciling instance',
      labelNames: ['sale'],
      registers: [ctx.metrics],
    });
    const releasedTotal = new Counter({
      name: 'surge_reconciliation_released_total',
      help: 'Reservations left unpublished past RECONCILE_RESERVATION_AGE_MS and released by reconciliation',
      registers: [ctx.metrics],
    });
    const lockPrefix = 'surge:lock:';
    const reconciler = createReconciler({
      repo: createReconciliationRepo(ctx.db),
      orders: createOrdersRepo(ctx.db),
      stock: createSaleStock(ctx.redis, { tombstoneTtlMs: TOMBSTONE_TTL_MS }),
      snapshots: createSaleSnapshots(ctx.redis),
      reservationAgeMs: config.reconcileReservationAgeMs,
      batch: BATCH,
      endedWithinMs: ENDED_WITHIN_MS,
      // Per database: instances of one deployment share it; test databases never meet.
      locks: createFencedLock(ctx.redis, { keyPrefix: lockPrefix, ttlMs: 15_000, log }),
      lockName: `reconciliation:${ctx.databaseName}`,
      redis: ctx.redis,
      drift,
      releasedTotal,
      log,
    });
    return {
      reconciler,
      routes: async (app: FastifyInstance) => {
        await app.register(reconciliationRoutes, { reconciler });
      },
      jobs: [
        {
          name: 'reconciliation',
          start: () =>
            startPeriodicJob({
              name: 'reconciliation',
              intervalMs: config.reconcileIntervalMs,
              // Nothing is old enough to release at start-up; one interval in, things are.
              firstDelayMs: config.reconcileIntervalMs,
              log,
              round: async () => {
                await reconciler.round();
              },
            }),
        },
      ],
    };
  },
});
