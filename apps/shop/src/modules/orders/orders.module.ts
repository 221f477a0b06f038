import { defineModule } from '../feature-module.ts';
import { createSaleStock } from '../flash-sales/sale-stock.ts';
import { ORDERS_TOPIC, OrderConfirmed, OrderPlaced, OrderRejected } from './order-events.ts';
import { orderWriter } from './order-writer.ts';
import { createOrdersRepo } from './orders-repo.ts';
import * as m0011 from './migrations/0011-orders.ts';

/** How long a tombstone of an orderId the sale never saw stays (as long as a sale's keys). */
const TOMBSTONE_TTL_MS = 7 * 86_400_000;

/**
 * orders: the order-writer consumer (order.placed → a row behind MySQL's stock guard). Placement
 * and the order read routes build on it.
 */
export const ordersModule = defineModule({
  name: 'orders',
  migrations: { '0011-orders': m0011 },
  events: [OrderPlaced, OrderConfirmed, OrderRejected],
  topics: [{ name: ORDERS_TOPIC, partitions: 6 }],
  create(ctx) {
    const repo = createOrdersRepo(ctx.db);
    const stock = createSaleStock(ctx.redis, { tombstoneTtlMs: TOMBSTONE_TTL_MS });
    return {
      repo,
      consumers: [
        {
          name: 'order-writer',
          topic: ORDERS_TOPIC,
          group: 'surge-order-writer',
          handle: orderWriter({ orders: repo, stock, outbox: ctx.outbox, topic: ctx.topic }),
        },
      ],
    };
  },
});
