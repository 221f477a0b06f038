import type { FastifyInstance } from 'fastify';
import { defineModule } from '../feature-module.ts';
import { createSaleStock } from '../flash-sales/sale-stock.ts';
import { ORDERS_TOPIC, OrderConfirmed, OrderPlaced, OrderRejected } from './order-events.ts';
import { orderWriter } from './order-writer.ts';
import { createOrdersRepo } from './orders-repo.ts';
import { ordersRoutes } from './orders-routes.ts';
import { createPendingOrders } from './pending-orders.ts';
import * as m0011 from './migrations/0011-orders.ts';

/** How long a tombstone of an orderId the sale never saw stays (as long as a sale's keys). */
const TOMBSTONE_TTL_MS = 7 * 86_400_000;

/**
 * orders: the order-writer consumer (order.placed → a row behind MySQL's stock guard) and the
 * owner's order reads (pending ones from Redis until the row exists). Placement builds on it.
 */
export const ordersModule = defineModule({
  name: 'orders',
  migrations: { '0011-orders': m0011 },
  events: [OrderPlaced, OrderConfirmed, OrderRejected],
  topics: [{ name: ORDERS_TOPIC, partitions: 6 }],
  create(ctx) {
    const repo = createOrdersRepo(ctx.db);
    const stock = createSaleStock(ctx.redis, { tombstoneTtlMs: TOMBSTONE_TTL_MS });
    // A day: far longer than order-writer needs, short enough to leave nothing behind.
    const pending = createPendingOrders(ctx.redis, { ttlSec: 86_400 });
    // A partition that is behind hands its buffered orders over together (one transaction).
    const { handle, handleBatch } = orderWriter({
      orders: repo,
      stock,
      outbox: ctx.outbox,
      topic: ctx.topic,
    });
    const writer = { handle, handleBatch, maxBatch: 100 };
    return {
      repo,
      pending,
      routes: async (app: FastifyInstance) => {
        await app.register(ordersRoutes, { orders: repo, pending });
      },
      consumers: [
        {
          name: 'order-writer',
          topic: ORDERS_TOPIC,
          group: 'surge-order-writer',
          ...writer,
        },
      ],
    };
  },
});
