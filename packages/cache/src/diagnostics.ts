import diagnostics_channel from 'node:diagnostics_channel';

/**
 * Everything the cache does that an operator may want to count is published on this
 * `node:diagnostics_channel`, so the cache never imports a metrics or tracing library
 * (bentocache's approach). `cacheMetrics()` turns the events into Prometheus counters.
 */
export const CACHE_CHANNEL = 'surge:cache';

/** Why a stale value (within grace) was served instead of a fresh one. */
export type StaleReason =
  /** the loader threw or timed out */
  | 'load-error'
  /** the key is backing off after a failed load (`graceBackoffMs`) */
  | 'backoff'
  /** another instance held the fill lock longer than `lockWaitMs` */
  | 'lock-wait-timeout'
  /** the loader bulkhead was full */
  | 'bulkhead-full'
  /** the load took longer than `softTimeoutMs`; it goes on in the background */
  | 'soft-timeout';

interface Base {
  /** The cache's `prefix`, so several caches in one process can be told apart. */
  cache: string;
  namespace: string;
  key: string;
}

/** One event on {@link CACHE_CHANNEL}. */
export type CacheEvent = Base &
  /** `hot`: the namespace's hot tier (hot-tier.ts), in front of L1. */
  (
    | { type: 'hit'; tier: 'hot' | 'l1' | 'l2' }
    /** No fresh value in this process: the fill path ran (lock, loader or wait). */
    | { type: 'miss' }
    /** Served a cached "not found" (also counted as a hit). */
    | { type: 'negative-hit' }
    | { type: 'stale'; reason: StaleReason }
    /** The loader settled; `found` is false when it resolved `undefined`. */
    | { type: 'load'; durationMs: number; found: boolean }
    | { type: 'load-error'; durationMs: number; error: unknown }
    /** Waited for another instance's fill; `outcome` says how the wait ended. */
    | { type: 'lock-wait'; waitedMs: number; outcome: 'value' | 'lock' | 'timeout' | 'unavailable' }
    | { type: 'bulkhead-rejected' }
    | { type: 'invalidate' }
  );

export type CacheEventType = CacheEvent['type'];

const channel = diagnostics_channel.channel(CACHE_CHANNEL);

/** Publishes `event` when someone listens; builds nothing otherwise. */
export function publishCacheEvent(make: () => CacheEvent): void {
  if (channel.hasSubscribers) channel.publish(make());
}
