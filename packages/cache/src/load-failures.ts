/** The last failed load of one key in this process. */
export interface LoadFailure {
  /** The last call ticket handed out when the load failed. */
  failedAtTicket: number;
  /** Until when a stale value is served instead of calling the loader again (ms). */
  retryAt: number;
  error: unknown;
}

/**
 * Per-key memory of failed loads, in this process only, bounded to `maxKeys` (oldest dropped).
 * Two uses:
 * - **grace backoff**: while `now < retryAt` a key with a stale value serves it without calling
 *   the loader (ADR 0005 "with a backoff before the next try");
 * - **shared failure**: callers that were already waiting when a load failed get that failure
 *   (their ticket is not newer than the failure) instead of each running the loader again behind
 *   bentocache's per-key mutex — without it 500 waiters on a dead database wait 500 timeouts.
 */
export function createLoadFailures(opts: { backoffMs: number; maxKeys?: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 10_000;
  const failures = new Map<string, LoadFailure>();
  let tickets = 0;
  return {
    /** A number for a call that starts now; later calls get larger numbers. */
    ticket: (): number => ++tickets,
    record(key: string, error: unknown, backoffMs = opts.backoffMs): void {
      failures.delete(key);
      failures.set(key, { failedAtTicket: tickets, retryAt: now() + backoffMs, error });
      if (failures.size > maxKeys) failures.delete(failures.keys().next().value as string);
    },
    clear(key: string): void {
      failures.delete(key);
    },
    /** True while the key is backing off after a failed load. */
    isBackingOff(key: string): boolean {
      const f = failures.get(key);
      return f !== undefined && now() < f.retryAt;
    },
    /** The failure the call holding `ticket` was waiting on, if a load failed since it started. */
    sharedWith(key: string, ticket: number): LoadFailure | undefined {
      const f = failures.get(key);
      return f !== undefined && ticket <= f.failedAtTicket ? f : undefined;
    },
    get size(): number {
      return failures.size;
    },
  };
}

export type LoadFailures = ReturnType<typeof createLoadFailures>;
