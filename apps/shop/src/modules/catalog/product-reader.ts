import type { Product } from './products-repo.ts';

/** How the catalog reads products: through the cache (see catalog/cached-product-reader.ts). */
export interface ProductReader {
  /** The product, or undefined when no product has this id. */
  get(id: string): Promise<Product | undefined>;
  /**
   * The product when the cache's hot tier holds it (ADR 0018), read synchronously; `undefined`
   * means "not hot", not "absent": ask {@link get}. Lets the read route answer a hot product
   * without a promise.
   */
  peek(id: string): Product | undefined;
  /** Drops the cached value on every instance. */
  invalidate(id: string): Promise<void>;
  /** Tells the reader a new id exists (Bloom filter, negative cache). */
  added(id: string): Promise<void>;
}
