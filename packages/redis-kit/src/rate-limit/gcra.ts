/**
 * GCRA, the generic cell rate algorithm (ITU-T I.371; the form of redis-cell and throttled):
 * a key keeps one number, its theoretical arrival time (TAT). A request costing `cost` moves it
 * `cost × interval` ahead, `interval = windowMs / limit`; it is admitted while the new TAT is at
 * most `windowMs` ahead of now. So a fresh key admits a burst of `limit`, then one request per
 * interval, and the state is a timestamp, not a counter: no window edges, nothing to reset.
 *
 * The same arithmetic runs in Redis (`gcra-n.lua`) and in the in-process fallback; the contract
 * suite (`contract/`) holds both to it.
 */

/**
 * Slack for floating point, ms: 7 requests of `60000 / 7` ms must fit a 60 s window although
 * their sum is not exactly 60000, and Redis stores TATs to the microsecond.
 */
export const GCRA_EPSILON_MS = 0.001;

export interface GcraStep {
  /** This key admits the request. */
  allowed: boolean;
  /** ms until this key would admit it; 0 when it does. Rounded up. */
  retryAfterMs: number;
  /** The state before the call and after it, if the whole call is admitted. */
  before: GcraState;
  after: GcraState;
}

/** What a key reports in a given TAT: `remaining` rounded down, `resetMs` up. */
export interface GcraState {
  tatMs: number;
  remaining: number;
  resetMs: number;
}

/**
 * One key's answer at `nowMs` given its stored TAT (`undefined`: a fresh key). Pure. A call over
 * several keys charges `after` to all of them only when every key `allowed`; otherwise each
 * keeps, and reports, `before`.
 */
export function gcraStep(
  nowMs: number,
  storedTatMs: number | undefined,
  p: { limit: number; windowMs: number; cost: number },
): GcraStep {
  const interval = p.windowMs / p.limit;
  const tat = storedTatMs === undefined || storedTatMs < nowMs ? nowMs : storedTatMs;
  const newTat = tat + p.cost * interval;
  const wait = newTat - p.windowMs - nowMs;
  const state = (t: number): GcraState => ({
    tatMs: t,
    remaining: Math.max(0, Math.floor((p.windowMs - (t - nowMs)) / interval + 1e-6)),
    resetMs: Math.ceil(t - nowMs),
  });
  const allowed = wait <= GCRA_EPSILON_MS;
  return { allowed, retryAfterMs: allowed ? 0 : Math.ceil(wait), before: state(tat), after: state(newTat) };
}
