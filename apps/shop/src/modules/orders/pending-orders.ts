import type { Redis } from 'ioredis';

/** An accepted order that order-writer may not have stored yet (status `pending`). */
export interface PendingOrder {
  orderId: string;
  userId: string;
  saleId: string;
  quantity: number;
  priceCents: number;
  placedAt: string;
}

const key = (orderId: string) => `surge:{order:${orderId}}:pending`;

/**
 * What `GET /v1/orders/{id}` answers between the `202` and the row: placement records the
 * accepted order here (after Kafka's ack); it expires after `ttlSec` — by then the row exists,
 * or reconciliation has dealt with the reservation. Losing it (Redis down at that moment) only
 * means a `404` for the few milliseconds before the row appears.
 */
export function createPendingOrders(redis: Redis, opts: { ttlSec: number }) {
  return {
    async record(order: PendingOrder): Promise<void> {
      await redis.set(key(order.orderId), JSON.stringify(order), 'EX', opts.ttlSec);
    },
    async find(orderId: string): Promise<PendingOrder | undefined> {
      const raw = await redis.get(key(orderId));
      return raw === null ? undefined : (JSON.parse(raw) as PendingOrder);
    },
  };
}

export type PendingOrders = ReturnType<typeof createPendingOrders>;
