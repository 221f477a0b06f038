import type { CacheNamespace } from '@surge/cache';
import { LRUCache } from 'lru-cache';
import { dependencyUnavailable } from '../../errors.ts';
import type { Product, ProductsRepo } from './products-repo.ts';
import type { ProductReader } from './product-reader.ts';

/** The part of the Bloom filter the reader needs: it may only ever rule ids out. */
export interface IdFilter {
  mightContain(id: string): Promise<boolean>;
  add(id: string): Promise<void>;
}

/**
 * Products through the two-tier cache (ADR 0005): a Bloom filter rejects ids that cannot exist
 * before the cache or MySQL is touched; misses load from MySQL once per key across the cluster;
 * "not found" is cached briefly; failures serve the stale value within grace. With nothing to
 * serve, a dependency failure is a 503, never a 500.
 */
export function createCachedProductReader(opts: {
  products: CacheNamespace;
  repo: ProductsRepo;
  filter?: IdFilter;
  onFilterRejected?: () => void;
  /** Ids remembered as existing, so hot reads skip the filter. Default 10,000. */
  knownIdsMax?: number;
}): ProductReader {
  const { products, repo, filter } = opts;
  const knownToExist = new LRUCache<string, true>({ max: opts.knownIdsMax ?? 10_000 });
  const load = async (id: string): Promise<Product | undefined> => {
    const record = await repo.findById(id);
    if (!record) return undefined;
    const { version: _version, ...rest } = record;
    return rest;
  };
  return {
    peek: (id) => products.peek<Product>(id),
    async get(id) {
      // A product served within the last second (the hot tier) exists: no filter, no L1 copy.
      const hot = products.peek<Product>(id);
      if (hot !== undefined) return hot;
      // Ids this process recently served skip the filter: asking Redis on every read of a hot
      // product would defeat L1 (P2). Any other id is checked first, so a flood of ids that
      // cannot exist never reaches the cache's loader bulkhead or MySQL (penetration).
      // `get` (not `has`) keeps a hot id recent; it is set once, not on every read.
      const known = knownToExist.get(id) === true;
      if (filter && !known && !(await filter.mightContain(id))) {
        opts.onFilterRejected?.();
        return undefined;
      }
      let product: Product | undefined;
      try {
        product = await products.getOrLoad<Product>(id, () => load(id));
      } catch (err) {
        throw dependencyUnavailable('the catalog', err);
      }
      if (product && !known) knownToExist.set(id, true);
      return product;
    },
    invalidate: (id) => products.invalidate(id),
    async added(id) {
      await filter?.add(id);
      // A read of this id before it existed may have cached "not found".
      await products.invalidate(id);
    },
  };
}
