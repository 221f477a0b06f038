export { createCache } from './create-cache.ts';
export type { Cache } from './create-cache.ts';
export type { CacheNamespace } from './namespace.ts';
export type { HotTierOptions } from './hot-tier.ts';
export type { Loader } from './fill.ts';
export type { WarmUpOptions, WarmUpResult } from './warm-up.ts';
export { DEFAULT_ENTRY_OPTIONS } from './options.ts';
export type { CacheOptions, EntryOptions } from './options.ts';
export {
  CacheBulkheadFullError,
  CacheLoadTimeoutError,
  CacheRedisError,
  isCacheBulkheadFullError,
  isCacheLoadTimeoutError,
  isCacheRedisError,
} from './errors.ts';
export { CACHE_CHANNEL } from './diagnostics.ts';
export type { CacheEvent, CacheEventType, StaleReason } from './diagnostics.ts';
export { cacheMetrics } from './cache-metrics.ts';
export type { CacheMetrics } from './cache-metrics.ts';

// ---- bloom filter exports (packages/cache/src/bloom/, maintained separately) ----
// Add bloom exports below this line; keep this block last in the file.
export { createBloomFilter } from './bloom/redis-bloom-filter.ts';
export type { BloomFilter, BloomFilterOptions } from './bloom/redis-bloom-filter.ts';
export { bloomParams } from './bloom/bloom-params.ts';
export type { BloomParams } from './bloom/bloom-params.ts';
export { BloomRebuildError, isBloomRebuildError } from './bloom/bloom-errors.ts';
export type { BloomRebuildErrorCode } from './bloom/bloom-errors.ts';
export { startBloomRebuilder } from './bloom/bloom-rebuilder.ts';
export type { BloomRebuilder, BloomRebuilderOptions } from './bloom/bloom-rebuilder.ts';
// ---- end of bloom filter exports ----
