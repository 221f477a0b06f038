import { Type } from 'typebox';
import { defineEvent } from '@surge/messaging';
import { EVENT_SOURCE } from '../../context.ts';
import { CATALOG_TOPIC } from '../catalog/catalog-events.ts';
import type { FlashSaleRecord } from './flash-sales-repo.ts';

/** On `surge.catalog.v1` (what is for sale), key saleId. */
export const FlashSaleChanged = defineEvent({
  type: 'surge.flash_sale.changed.v1',
  topic: CATALOG_TOPIC,
  schema: Type.Object(
    {
      saleId: Type.String({ format: 'uuid' }),
      productId: Type.String({ format: 'uuid' }),
      stock: Type.Integer({ minimum: 1 }),
      priceCents: Type.Integer({ minimum: 0 }),
      startsAt: Type.String({ format: 'date-time' }),
      endsAt: Type.String({ format: 'date-time' }),
      perUserLimit: Type.Integer({ minimum: 1 }),
      /** Monotonic per sale: a consumer can ignore an older change that arrives late. */
      version: Type.Integer({ minimum: 1 }),
    },
    { additionalProperties: false },
  ),
});

/** The `flash_sale.changed` of a sale as stored, keyed by its id (admin route and dev demo alike). */
export const flashSaleChanged = (sale: FlashSaleRecord, headers: Record<string, string> = {}) =>
  FlashSaleChanged.create(
    {
      saleId: sale.id,
      productId: sale.productId,
      stock: sale.stock,
      priceCents: sale.priceCents,
      startsAt: sale.startsAt,
      endsAt: sale.endsAt,
      perUserLimit: sale.perUserLimit,
      version: sale.version,
    },
    { key: sale.id, subject: sale.id, source: EVENT_SOURCE, headers },
  );
