/**
 * Errors of the cache, each with a stable `code` and `transient = true` (the dependency behind it
 * may recover; a message consumer retries). A loader's own error is rethrown unchanged.
 * Guards look at `code`, not `instanceof`, so errors from another copy of the package match.
 */

/** The loader bulkhead of this process is full and no stale value was available. */
export class CacheBulkheadFullError extends Error {
  override readonly name = 'CacheBulkheadFullError';
  readonly code = 'E_CACHE_BULKHEAD_FULL';
  readonly transient = true;
  readonly key: string;
  constructor(key: string, options?: ErrorOptions) {
    super(`cache loader bulkhead full, refusing to load "${key}"`, options);
    this.key = key;
  }
}

/** The loader did not settle within `loadTimeoutMs` (its AbortSignal was aborted). */
export class CacheLoadTimeoutError extends Error {
  override readonly name = 'CacheLoadTimeoutError';
  readonly code = 'E_CACHE_LOAD_TIMEOUT';
  readonly transient = true;
  readonly key: string;
  readonly timeoutMs: number;
  constructor(key: string, timeoutMs: number, options?: ErrorOptions) {
    super(`cache loader for "${key}" did not settle within ${timeoutMs} ms`, options);
    this.key = key;
    this.timeoutMs = timeoutMs;
  }
}

/** Redis refused or timed out an operation that must not be silently skipped (invalidation). */
export class CacheRedisError extends Error {
  override readonly name = 'CacheRedisError';
  readonly code = 'E_CACHE_REDIS';
  readonly transient = true;
}

const hasCode = (e: unknown, code: string): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;

export const isCacheBulkheadFullError = (e: unknown): e is CacheBulkheadFullError =>
  hasCode(e, 'E_CACHE_BULKHEAD_FULL');
export const isCacheLoadTimeoutError = (e: unknown): e is CacheLoadTimeoutError =>
  hasCode(e, 'E_CACHE_LOAD_TIMEOUT');
export const isCacheRedisError = (e: unknown): e is CacheRedisError => hasCode(e, 'E_CACHE_REDIS');
