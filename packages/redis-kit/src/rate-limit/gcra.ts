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
  allowed: boolean;
  /** The TAT to store when the whole call is admitted (unchanged when not, or for cost 0). */
  tatMs: number;
  remaining: number;
  resetMs: number;
  retryAfterMs: number;
}

/**
 * One key's answer at `nowMs` given its stored TAT (`undefined`: a fresh key). Pure; `resetMs`
 * and `retryAfterMs` are rounded up to whole ms, `remaining` down to whole requests.
 */
export function gcraStep(
  nowMs: number,
  storedTatMs: number | undefined,
  p: { limit: number; windowMs: number; cost: number },
): GcraStep {
  const interval = p.windowMs / p.limit;
  const tat = storedTatMs === undefined || storedTatMs < nowMs ? nowMs : storedTatMs;
  const newTat = tat + p.cost * interval;
  const allowAt = newTat - p.windowMs;
  if (allowAt - nowMs > GCRA_EPSILON_MS) {
    return {
      allowed: false,
      tatMs: tat,
      remaining: Math.max(0, Math.floor((p.windowMs - (tat - nowMs)) / interval + 1e-6)),
      resetMs: Math.ceil(tat - nowMs),
      retryAfterMs: Math.ceil(allowAt - nowMs),
    };
  }
  return {
    allowed: true,
    tatMs: newTat,
    remaining: Math.max(0, Math.floor((p.windowMs - (newTat - nowMs)) / interval + 1e-6)),
    resetMs: Math.ceil(newTat - nowMs),
    retryAfterMs: 0,
  };
}
