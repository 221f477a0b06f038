import { LRUCache } from 'lru-cache';
import type { AccountState, AccountStates } from '../users/account-state.ts';

/** No change published for the user (the common case): the token's claims stand. */
const NONE = Object.freeze({ none: true as const });

/** `unavailable`: Redis could not be asked and nothing is known from before (fail open, ADR 0012). */
export type AccountLookup = AccountState | undefined | 'unavailable';

/**
 * The published account changes (users/account-state.ts) as `app.authenticate` reads them: one
 * Redis read per user per `cacheMs` per process (lru-cache: one fetch per key at a time, at most
 * `maxEntries` users), so a change reaches every instance within `cacheMs` plus a round trip.
 * While Redis is unreachable, a user's last known state is kept (a demotion seen before the
 * outage stays in force); a user never looked up before is `unavailable`.
 */
export function createAccountStateReader(
  states: Pick<AccountStates, 'read'>,
  opts: {
    /** How long a looked-up state is reused, ms. 0 reads Redis on every request. */
    cacheMs: number;
    /** Users kept in memory. Default 10,000. */
    maxEntries?: number;
    /** Called with each failed Redis read. */
    onError: (err: unknown) => void;
    /** Clock in ms (tests). Default `performance.now`. */
    now?: () => number;
  },
) {
  const read = async (userId: string) => {
    try {
      return (await states.read(userId)) ?? NONE;
    } catch (err) {
      opts.onError(err);
      throw err;
    }
  };
  const cache = new LRUCache<string, AccountState | typeof NONE>({
    max: opts.maxEntries ?? 10_000,
    ttl: Math.max(opts.cacheMs, 1),
    allowStaleOnFetchRejection: true,
    fetchMethod: (userId) => read(userId),
    ...(opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {}),
  });
  return {
    async get(userId: string): Promise<AccountLookup> {
      const found =
        opts.cacheMs === 0 ? await read(userId).catch(() => undefined) : await cache.fetch(userId);
      if (found === undefined) return 'unavailable';
      return 'none' in found ? undefined : found;
    },
  };
}

export type AccountStateReader = ReturnType<typeof createAccountStateReader>;
