import { Type } from 'typebox';
import { defineEvent } from '@surge/messaging';

/** `surge.orders.v1`, key orderId: every event of one order lands on one partition, in order. */
export const ORDERS_TOPIC = 'surge.orders.v1';

const OrderRef = {
  orderId: Type.String({ format: 'uuid' }),
  saleId: Type.String({ format: 'uuid' }),
  userId: Type.String({ format: 'uuid' }),
  quantity: Type.Integer({ minimum: 1 }),
};

/**
 * Published by placement straight to Kafka (acks=all) before the `202`: with the Redis
 * reservation it is the only trace of an accepted order until order-writer stores it (G2).
 */
export const OrderPlaced = defineEvent({
  type: 'surge.order.placed.v1',
  topic: ORDERS_TOPIC,
  schema: Type.Object(
    {
      ...OrderRef,
      /** Unit price at placement, cents. */
      priceCents: Type.Integer({ minimum: 0 }),
      placedAt: Type.String({ format: 'date-time' }),
    },
    { additionalProperties: false },
  ),
});

/** The order is in MySQL and its units counted in `flash_sales.sold`; it awaits payment. */
export const OrderConfirmed = defineEvent({
  type: 'surge.order.confirmed.v1',
  topic: ORDERS_TOPIC,
  schema: Type.Object({ ...OrderRef }, { additionalProperties: false }),
});

/** The order is stored as rejected; its units go back (stock-releaser, idempotent). */
export const OrderRejected = defineEvent({
  type: 'surge.order.rejected.v1',
  topic: ORDERS_TOPIC,
  schema: Type.Object(
    {
      ...OrderRef,
      /** `RELEASED`: its reservation was released first; `SOLD_OUT`: MySQL's guard refused it. */
      reason: Type.Union([Type.Literal('RELEASED'), Type.Literal('SOLD_OUT')]),
    },
    { additionalProperties: false },
  ),
});
