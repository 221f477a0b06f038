import type { Handler } from '@surge/messaging';
import { ProductChanged } from './catalog-events.ts';
import type { ProductReader } from './product-reader.ts';

/**
 * cache-invalidation: drops a product from every instance's cache when it changes, and makes sure
 * the Bloom filter knows its id. The admin route already does both after its commit; this
 * consumer covers a route that could not (Redis down) and changes made elsewhere (ADR 0005).
 * Idempotent: invalidating and setting filter bits twice is harmless; a Redis error is retried.
 */
export function cacheInvalidationConsumer(reader: ProductReader): Handler {
  return async (delivery) => {
    if (delivery.type !== ProductChanged.type) return;
    // `added`, not just `invalidate`: it also puts the id in the Bloom filter, in case the admin
    // route could not (Redis down at the time) — the filter must never hide an existing product.
    await reader.added(ProductChanged.parse(delivery.data).productId);
  };
}
