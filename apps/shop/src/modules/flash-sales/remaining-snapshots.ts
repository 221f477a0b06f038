import { LRUCache } from 'lru-cache';

interface Snapshot {
  value: number | null;
  atMs: number;
  pending?: Promise<number | null>;
}

/**
 * Each instance's view of the units left per sale, read from Redis at most once per `refreshMs`
 * per sale: a crowd polling one sale costs Redis one GET per instance per interval, not one per
 * request. Concurrent readers of a stale value share one read. A failed read is `null` (SPEC:
 * remaining is shown as null while Redis is down). Placement feeds it the remaining units each
 * reserve returns (`observe`), so a sold-out sale is known without asking, and reopens as soon
 * as a read or a reserve sees units again — the snapshot is never stickier than `refreshMs`.
 */
export function createRemainingSnapshots(opts: {
  read: (saleId: string) => Promise<number | undefined>;
  /** Default 250 ms. */
  refreshMs?: number;
  /** Sales remembered. Default 10,000. */
  maxSales?: number;
  now?: () => number;
}) {
  const refreshMs = opts.refreshMs ?? 250;
  const now = opts.now ?? Date.now;
  const snapshots = new LRUCache<string, Snapshot>({ max: opts.maxSales ?? 10_000 });

  const refresh = (saleId: string, snapshot: Snapshot | undefined): Promise<number | null> => {
    if (snapshot?.pending) return snapshot.pending;
    const pending = opts.read(saleId).then(
      (value) => value ?? null,
      () => null,
    );
    const entry: Snapshot = { value: snapshot?.value ?? null, atMs: snapshot?.atMs ?? 0, pending };
    snapshots.set(saleId, entry);
    void pending.then((value) => {
      // A newer observation may have replaced the entry meanwhile; it wins.
      if (snapshots.get(saleId) === entry) snapshots.set(saleId, { value, atMs: now() });
    });
    return pending;
  };

  return {
    /** Units left (at most `refreshMs` old), or null when Redis cannot say. */
    get(saleId: string): Promise<number | null> {
      const snapshot = snapshots.get(saleId);
      if (snapshot && !snapshot.pending && now() - snapshot.atMs < refreshMs)
        return Promise.resolve(snapshot.value);
      return refresh(saleId, snapshot);
    },
    /** The last value without waiting (undefined when unknown or older than `refreshMs`). */
    peek(saleId: string): number | null | undefined {
      const snapshot = snapshots.get(saleId);
      return snapshot && now() - snapshot.atMs < refreshMs ? snapshot.value : undefined;
    },
    /** Records what Redis just answered (a reserve's or release's remaining). */
    observe(saleId: string, remaining: number): void {
      snapshots.set(saleId, { value: remaining, atMs: now() });
    },
  };
}

export type RemainingSnapshots = ReturnType<typeof createRemainingSnapshots>;
