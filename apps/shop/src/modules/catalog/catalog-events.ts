import { Type } from 'typebox';
import { defineEvent } from '@surge/messaging';

/** `surge.catalog.v1`, key productId (packages/messaging/README.md). */
export const CATALOG_TOPIC = 'surge.catalog.v1';

export const ProductChanged = defineEvent({
  type: 'surge.product.changed.v1',
  topic: CATALOG_TOPIC,
  schema: Type.Object(
    {
      productId: Type.String({ format: 'uuid' }),
      name: Type.String({ minLength: 1, maxLength: 200 }),
      description: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]),
      priceCents: Type.Integer({ minimum: 0 }),
      /** Monotonic per product: a consumer can ignore an older change that arrives late. */
      version: Type.Integer({ minimum: 1 }),
      updatedAt: Type.String({ format: 'date-time' }),
    },
    { additionalProperties: false },
  ),
});
