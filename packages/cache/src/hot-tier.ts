/** Options of a namespace's hot tier ({@link HotTier}). */
export interface HotTierOptions {
  /** How long a value is served from the hot tier without asking L1, ms. Bounds the extra staleness. */
  ttlMs: number;
  /** Values kept; the oldest written is dropped first. */
  maxItems: number;
}

/**
 * The values of one namespace this process served last, as objects, in front of bentocache's L1.
 * An L1 hit still costs a serialised copy parsed again, an AsyncLocalStorage scope and
 * bentocache's entry bookkeeping — ~14 µs per read in the server (docs/benchmarks.md, P2); a hot
 * hit is one `Map` lookup. The hot tier holds only fresh values (never a stale one served within
 * grace, never "not found") for `ttlMs`, and drops a key whenever it is invalidated, here or on
 * another instance (the bus), so it adds at most `ttlMs` to how long L1 may serve a value that
 * expired on its own. Values are frozen: every caller gets the same object.
 */
export interface HotTier {
  /** The value, while fresh; `undefined` otherwise. */
  get(key: string): unknown;
  /** A mark taken before reading below the hot tier; pass it to {@link set}. */
  mark(): number;
  /**
   * Keeps `value` unless an invalidation happened since `mark` was taken: a read that began
   * before the invalidation may have seen the old value, and must not bring it back here.
   */
  set(key: string, value: unknown, mark: number): void;
  delete(key: string): void;
  clear(): void;
}

export function createHotTier(
  opts: HotTierOptions,
  now: () => number = performance.now.bind(performance),
): HotTier {
  if (!(opts.ttlMs > 0) || !Number.isInteger(opts.maxItems) || opts.maxItems < 1)
    throw new TypeError(
      `hot tier: ttlMs > 0 and an integer maxItems ≥ 1, got ${opts.ttlMs} / ${opts.maxItems}`,
    );
  const entries = new Map<string, { value: unknown; until: number }>();
  // Counts invalidations; a set whose mark is older than the latest one is refused. One counter
  // for all keys: invalidations are rare next to reads, and a refused set only costs one more
  // L1 read later.
  let invalidations = 0;
  return {
    get(key) {
      const e = entries.get(key);
      if (e === undefined) return undefined;
      if (e.until > now()) return e.value;
      entries.delete(key);
      return undefined;
    },
    mark: () => invalidations,
    set(key, value, mark) {
      if (mark !== invalidations) return;
      if (value !== null && typeof value === 'object') Object.freeze(value);
      entries.delete(key); // re-inserted last, so the oldest write is first in line to go
      entries.set(key, { value, until: now() + opts.ttlMs });
      if (entries.size > opts.maxItems) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
    delete(key) {
      invalidations++;
      entries.delete(key);
    },
    clear() {
      invalidations++;
      entries.clear();
    },
  };
}
