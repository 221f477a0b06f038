import { Type } from 'typebox';
import { defineEvent } from '@surge/messaging';
import { ORDERS_TOPIC } from '../orders/order-events.ts';

/** The order was not paid within the payment window; the stock-releaser gives its units back. */
export const OrderCancelled = defineEvent({
  type: 'surge.order.cancelled.v1',
  topic: ORDERS_TOPIC,
  schema: Type.Object(
    {
      orderId: Type.String({ format: 'uuid' }),
      saleId: Type.String({ format: 'uuid' }),
      userId: Type.String({ format: 'uuid' }),
      quantity: Type.Integer({ minimum: 1 }),
      reason: Type.Literal('PAYMENT_TIMEOUT'),
      cancelledAt: Type.String({ format: 'date-time' }),
    },
    { additionalProperties: false },
  ),
});
