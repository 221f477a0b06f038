import { jitter } from '@surge/resilience';
import type { CacheProvider, GetSetFactory } from 'bentocache/types';
import type { CallRecord } from './call-scope.ts';
import type { AcquireResult } from './cluster-lock.ts';
import { publishCacheEvent, type StaleReason } from './diagnostics.ts';
import { isCacheBulkheadFullError } from './errors.ts';
import type { LoadFailures } from './load-failures.ts';
import type { LoadPolicy } from './load-policy.ts';
import { waitForFill } from './lock-wait.ts';
import { NEGATIVE_ENTRY } from './negative-entry.ts';
import type { EntryOptions } from './options.ts';

/** A loader: resolves the value, or `undefined` when it does not exist. Should honour `signal`. */
export type Loader<T> = (signal: AbortSignal) => Promise<T | undefined>;

/** What the fill path of one namespace needs. */
export interface FillContext {
  cache: string;
  namespace: string;
  /** The bentocache namespace (L1 + L2 + bus). Its store-level grace is off: `get` is fresh-only. */
  provider: CacheProvider;
  /** The cluster fill lock of this namespace's keys. */
  lock: { acquire(key: string): Promise<AcquireResult> };
  policy: LoadPolicy;
  failures: LoadFailures;
  lockWaitMs: number;
  lockPollMs: number;
}

/**
 * The bentocache factory of one `getOrLoad` call. bentocache runs it at most once per key per
 * process at a time, after finding no fresh value in L1 or L2; it adds what bentocache lacks:
 * 1. grace backoff and shared failures (load-failures.ts);
 * 2. the cluster fill lock: one instance loads, the others wait for its value (lock-wait.ts),
 *    then serve stale or load themselves;
 * 3. the loader behind the bulkhead and timeout (load-policy.ts);
 * 4. the write: jittered TTL, or a short negative entry for "not found" — done here, before the
 *    lock is released, so no waiter can see the lock free and the value missing.
 * It always answers through `call.produced` and returns `skip()` (bentocache must not write again).
 */
export function fillFactory(
  fc: FillContext,
  key: string,
  loader: Loader<unknown>,
  entry: Readonly<EntryOptions>,
  call: CallRecord,
): GetSetFactory<unknown> {
  const base = { cache: fc.cache, namespace: fc.namespace, key };
  return async (ctx) => {
    call.filled = true;
    publishCacheEvent(() => ({ ...base, type: 'miss' }));
    const stale = ctx.gracedEntry;
    const answer = (value: unknown, source: 'load' | 'stale' | 'found') => {
      call.produced = { value, source };
      return ctx.skip();
    };
    const serveStale = (reason: StaleReason, value: unknown) => {
      publishCacheEvent(() => ({ ...base, type: 'stale', reason }));
      return answer(value, 'stale');
    };

    const shared = fc.failures.sharedWith(key, call.ticket);
    if (shared) {
      if (stale) return serveStale('load-error', stale.value);
      throw shared.error;
    }
    if (stale && fc.failures.isBackingOff(key)) return serveStale('backoff', stale.value);

    const read = () => fc.provider.get<unknown>({ key });
    let lock = await fc.lock.acquire(key);
    if (lock === 'busy') {
      const startedAt = Date.now();
      const waited = await waitForFill(
        { read, tryAcquire: () => fc.lock.acquire(key) },
        { waitMs: fc.lockWaitMs, pollMs: fc.lockPollMs },
      );
      publishCacheEvent(() => ({
        ...base,
        type: 'lock-wait',
        waitedMs: Date.now() - startedAt,
        outcome: waited.outcome,
      }));
      if (waited.outcome === 'value') return answer(waited.value, 'found');
      if (waited.outcome === 'lock') lock = waited.lock;
      else if (stale) return serveStale('lock-wait-timeout', stale.value);
    }
    const held = typeof lock === 'object' ? lock : undefined;
    try {
      if (held) {
        // The previous holder may have written and released since bentocache looked in L2.
        const found = await read();
        if (found !== undefined) return answer(found, 'found');
      }
      const startedAt = performance.now();
      let value: unknown;
      try {
        value = await fc.policy.run(key, loader, entry.loadTimeoutMs);
      } catch (err) {
        const full = isCacheBulkheadFullError(err);
        const durationMs = performance.now() - startedAt;
        publishCacheEvent(() =>
          full
            ? { ...base, type: 'bulkhead-rejected' }
            : { ...base, type: 'load-error', durationMs, error: err },
        );
        fc.failures.record(key, err, entry.graceBackoffMs);
        if (stale) return serveStale(full ? 'bulkhead-full' : 'load-error', stale.value);
        throw err;
      }
      const durationMs = performance.now() - startedAt;
      publishCacheEvent(() => ({ ...base, type: 'load', durationMs, found: value !== undefined }));
      fc.failures.clear(key);
      await store(fc.provider, key, value, entry);
      return answer(value === undefined ? NEGATIVE_ENTRY : value, 'load');
    } finally {
      await held?.release();
    }
  };
}

/** Writes L1 + L2 (+ bus "set"): a jittered TTL plus grace, or a short negative entry without grace. */
async function store(provider: CacheProvider, key: string, value: unknown, e: Readonly<EntryOptions>) {
  if (value === undefined) {
    const ttl = jitter(e.negativeTtlMs, e.jitterRatio);
    await provider.set({ key, value: NEGATIVE_ENTRY, ttl, grace: false });
    return;
  }
  const ttl = jitter(e.ttlMs, e.jitterRatio);
  // bentocache's `grace` is the physical lifetime counted from the write, not from expiry.
  await provider.set({ key, value, ttl, grace: e.graceMs > 0 ? ttl + e.graceMs : false });
}
