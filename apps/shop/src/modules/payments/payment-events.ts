import { Type } from 'typebox';
import { defineEvent } from '@surge/messaging';
import { ORDERS_TOPIC } from '../orders/order-events.ts';

/** The order is paid (its charge captured at the gateway); leaderboards and notifications follow it. */
export const OrderPaid = defineEvent({
  type: 'surge.order.paid.v1',
  topic: ORDERS_TOPIC,
  schema: Type.Object(
    {
      orderId: Type.String({ format: 'uuid' }),
      saleId: Type.String({ format: 'uuid' }),
      userId: Type.String({ format: 'uuid' }),
      quantity: Type.Integer({ minimum: 1 }),
      amountCents: Type.Integer({ minimum: 0 }),
      currency: Type.String({ pattern: '^[a-z]{3}$' }),
      chargeId: Type.String({ minLength: 1 }),
      paidAt: Type.String({ format: 'date-time' }),
    },
    { additionalProperties: false },
  ),
});
