import type { Handler } from '@surge/messaging';
import { ProductChanged } from '../events/catalog-events.ts';
import type { ProductReader } from '../modules/catalog/product-reader.ts';

/**
 * cache-invalidation: drops a product from every instance's cache when it changes. The admin
 * route already invalidates after its commit; this consumer covers changes made elsewhere and
 * instances that missed the cache bus message (SPEC §8). Idempotent: invalidating twice is harmless.
 */
export function cacheInvalidationHandler(reader: ProductReader): Handler {
  return async (delivery) => {
    if (delivery.type !== ProductChanged.type) return;
    await reader.invalidate(ProductChanged.parse(delivery.data).productId);
  };
}
