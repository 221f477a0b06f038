import type { FastifyInstance } from 'fastify';
import { createBatchingPublisher, type Handler } from '@surge/messaging';
import { createIdempotencyStore } from '@surge/redis-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientAddressKey } from '../../http/client-address.ts';
import { configuredPolicy, createRateLimitGuard } from '../../http/rate-limit-guard.ts';
import { UUID } from '../../http/pagination.ts';
import { CATALOG_TOPIC } from '../catalog/catalog-events.ts';
import { createProductsRepo } from '../catalog/products-repo.ts';
import { defineModule } from '../feature-module.ts';
import { FlashSaleChanged } from './flash-sale-events.ts';
import { createFlashSaleReader } from './flash-sale-view.ts';
import { FLASH_SALE_PROBLEMS, flashSalesRoutes } from './flash-sales-routes.ts';
import { ORDERS_TOPIC } from '../orders/order-events.ts';
import { createPendingOrders } from '../orders/pending-orders.ts';
import { createOrdersRepo } from '../orders/orders-repo.ts';
import { createPlacement } from './place-order.ts';
import { placementRoutes } from './placement-routes.ts';
import { createFlashSalesRepo, type FlashSaleRecord } from './flash-sales-repo.ts';
import * as m0010 from './migrations/0010-flash-sales.ts';
import { createRemainingSnapshots } from './remaining-snapshots.ts';
import { createSaleStock } from './sale-stock.ts';
import { startStockWarmer } from './stock-warmer.ts';
import { createDemoSale } from './demo-sale.ts';

/**
 * Every key of a sale outlives its end by this much: orders placed at the last moment still
 * need their reservation for the payment window, cancellation and reconciliation.
 */
const SALE_REDIS_RETENTION_MS = 7 * 86_400_000;
/** A sale's stock goes into Redis this long before it opens (and again every warm-up round). */
const WARM_HORIZON_MS = 10 * 60_000;

/**
 * flash-sales: sales in MySQL (admin-created, `flash_sale.changed` through the outbox), their
 * stock in Redis (docs/architecture.md, "Redis state of a sale"), the sale view through the
 * cache with each instance's ~250 ms snapshot of the remaining units.
 */
export const flashSalesModule = defineModule({
  name: 'flashSales',
  migrations: { '0010-flash-sales': m0010 },
  events: [FlashSaleChanged],
  problems: { ...FLASH_SALE_PROBLEMS, SOLD_OUT: 409, LIMIT_EXCEEDED: 409, SALE_NOT_ACTIVE: 409 },
  create(ctx) {
    const { config } = ctx;
    const repo = createFlashSalesRepo(ctx.db);
    const stock = createSaleStock(ctx.redis, { tombstoneTtlMs: SALE_REDIS_RETENTION_MS });
    const snapshots = createRemainingSnapshots({
      read: (saleId) => stock.remaining(saleId),
      refreshMs: config.saleRemainingRefreshMs,
    });
    const reader = createFlashSaleReader({ sales: ctx.cache.namespace('flash-sale'), repo, snapshots });
    const log = ctx.logger.child({ component: 'flash-sales' });
    const windowOf = (sale: FlashSaleRecord) => ({
      stock: sale.stock,
      startsAtMs: Date.parse(sale.startsAt),
      endsAtMs: Date.parse(sale.endsAt),
      perUserLimit: sale.perUserLimit,
      expireAtMs: Date.parse(sale.endsAt) + SALE_REDIS_RETENTION_MS,
    });
    // A sale just created (the admin route, the demo): nothing can have been sold yet.
    const warm = (sale: FlashSaleRecord) => stock.warm(sale.id, windowOf(sale), 'new');
    const orders = createOrdersRepo(ctx.db);
    const rebuild = async (sale: FlashSaleRecord, force: boolean) => {
      const live = await orders.liveOf(sale.id);
      const result = await stock.rebuild(sale.id, windowOf(sale), live, force);
      if (result.rebuilt) snapshots.observe(sale.id, result.remaining);
      return result;
    };
    // Every instance drops its cached view of a changed sale; idempotent, Redis errors retried.
    const invalidateView: Handler = async (delivery) => {
      if (delivery.type !== FlashSaleChanged.type) return;
      await reader.invalidate(FlashSaleChanged.parse(delivery.data).saleId);
    };
    const placementLog = log.child({ component: 'placement' });
    const place = createPlacement({
      reader,
      stock,
      snapshots,
      publisher: createBatchingPublisher(ctx.publisher),
      pending: createPendingOrders(ctx.redis, { ttlSec: 86_400 }),
      ordersTopic: ctx.topic(ORDERS_TOPIC),
      publishTimeoutMs: config.orderPublishTimeoutMs,
      log: placementLog,
      // The crash test's hook; config refuses it outside the test profile. The line tells the
      // test the reservation is in Redis and nothing was published; then the request hangs.
      ...(config.testPauseAfterReserve && {
        pauseAfterReserve: (orderId: string) => {
          placementLog.warn({ orderId }, 'paused after reserve');
          return new Promise<never>(() => undefined);
        },
      }),
    });
    // Idempotency-Key records (ADR 0017): answers kept 24 h; a crashed holder's key frees after its lease.
    const idempotency = createIdempotencyStore(ctx.redis, { keyPrefix: `surge:idem:${ctx.databaseName}:` });
    // Placement limits per buyer, client IP and sale, in one call (docs/adr/0010-rate-limits.md),
    // charged after authentication and before validation, the idempotency key and Redis' stock.
    const guard = createRateLimitGuard(ctx.rateLimiter, ctx.metrics);
    const limits = config.rateLimit;
    const perUser = configuredPolicy('placement-user', limits.placementUser);
    const perIp = configuredPolicy('placement-ip', limits.placementIp);
    const perSale = configuredPolicy('placement-sale', limits.placementSale);
    const limitPlacement = (request: FastifyRequest, reply: FastifyReply) => {
      const saleId = (request.params as { id?: unknown }).id;
      return guard(request, reply, [
        perUser && request.auth ? { policy: perUser, key: request.auth.sub } : undefined,
        perIp && { policy: perIp, key: clientAddressKey(request.ip) },
        // Only a well-formed id names a sale: a garbage one is refused by validation, keyless.
        perSale && typeof saleId === 'string' && UUID.test(saleId)
          ? { policy: perSale, key: saleId }
          : undefined,
      ]);
    };
    return {
      repo,
      stock,
      /** The dev profile's sample product and open sale (main.ts prints their ids). */
      createDemoSale: () =>
        createDemoSale({
          db: ctx.db,
          products: createProductsRepo(ctx.db),
          sales: repo,
          outbox: ctx.outbox,
          topic: ctx.topic,
          warm,
        }),
      reader,
      snapshots,
      routes: async (app: FastifyInstance) => {
        await app.register(flashSalesRoutes, {
          db: ctx.db,
          sales: repo,
          products: createProductsRepo(ctx.db),
          reader,
          outbox: ctx.outbox,
          topic: ctx.topic,
          warm,
          rebuild,
        });
        await app.register(placementRoutes, { place, idempotency, limitPlacement });
      },
      consumers: [
        {
          name: 'flash-sale-cache',
          topic: CATALOG_TOPIC,
          group: 'surge-flash-sale-cache',
          handle: invalidateView,
        },
      ],
      jobs: [
        {
          name: 'stock-warmer',
          start: () =>
            startStockWarmer({
              repo,
              warm: (sale) => stock.warm(sale.id, windowOf(sale), 'beforeStart'),
              intervalMs: config.saleWarmIntervalMs,
              horizonMs: WARM_HORIZON_MS,
              log,
            }),
        },
      ],
    };
  },
});
