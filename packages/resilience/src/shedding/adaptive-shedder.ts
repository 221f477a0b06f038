/**
 * How much a request matters when the process is overloaded. `normal` is shed first, `high` only
 * once in-flight work passes `headroom.high` × the limit, `critical` never (health probes,
 * operators' routes): it bypasses the shedder.
 */
export type ShedPriority = 'critical' | 'high' | 'normal';

/** The process's load right now, as the shedder's `load` option reports it. */
export interface LoadSample {
  /** Share of the last interval the event loop was busy, 0..1. */
  utilization: number;
  /** How late the event loop ran timers over the last interval (a high percentile), ms. */
  delayMs: number;
}

export interface AdaptiveShedderOptions {
  /** The current load (`createEventLoopLoad().sample`, or a fake in tests). */
  load: () => LoadSample;
  /** Overloaded needs at least this event-loop utilisation… Default 0.9. */
  utilizationThreshold?: number;
  /** …and at least this event-loop delay, ms. Default 50. */
  delayThresholdMs?: number;
  /** Shedding stops once the process has not been overloaded for this long, ms. Default 1000. */
  coolDownMs?: number;
  /** How often the limit follows the load, ms (at most once per request). Default 250. */
  adjustIntervalMs?: number;
  /** The limit never falls below this many requests in flight. Default 8. */
  minLimit?: number;
  /** Multiples of the limit each priority may fill. Default `{ normal: 1, high: 2 }`. */
  headroom?: { normal: number; high: number };
  /** Monotonic clock, ms. Default `performance.now`. */
  now?: () => number;
}

/** An admitted request; call `done` once when it ends. Later calls do nothing. */
export interface Admission {
  /** Needs no `this`: can be passed as a listener as it is. */
  done(this: void): void;
}

export interface ShedderStats {
  /** Admitted `normal` and `high` requests not done yet. */
  inFlight: number;
  /** The concurrency limit of `normal` requests; `Infinity` while not shedding. */
  limit: number;
  /** The last load check found the process overloaded. */
  overloaded: boolean;
}

export interface AdaptiveShedder {
  /** Admits a request of `priority`, or returns `undefined`: shed it (answer 503 at once). */
  admit(priority: ShedPriority): Admission | undefined;
  stats(): ShedderStats;
}

const BYPASS: Admission = { done() {} };
/** Share of the in-flight requests kept when an overloaded interval cuts the limit. */
const DECREASE = 0.75;

/**
 * Adaptive load shedding for one event loop. Like go-zero's `adaptiveshedder` and Kratos' BBR
 * limiter, it acts only while the process is overloaded — here: the event loop is busy
 * (utilisation) *and* late (delay), since a busy loop that runs its timers on time is merely
 * well used — and for a cool-down after, and it then caps the requests in flight. The cap is not
 * their Little's-law estimate (most passes per slice × best response time): on one event loop the
 * shed requests themselves lengthen every response time, so that estimate shrinks with each
 * round of shedding until it admits one request at a time (measured, ADR 0011). Instead the cap
 * follows the load by additive increase, multiplicative decrease (as TCP congestion control and
 * Netflix's concurrency limiters): each overloaded interval cuts it to 3/4 of what was in
 * flight, each calm one within the cool-down raises it by one, and a whole calm cool-down lifts
 * it. Priorities scale the cap (`headroom`), so `normal` work is shed first. Framework-free; the
 * clock and the load are injected.
 */
export function createAdaptiveShedder(opts: AdaptiveShedderOptions): AdaptiveShedder {
  const now = opts.now ?? (() => performance.now());
  const utilizationThreshold = opts.utilizationThreshold ?? 0.9;
  const delayThresholdMs = opts.delayThresholdMs ?? 50;
  const coolDownMs = opts.coolDownMs ?? 1000;
  const adjustIntervalMs = opts.adjustIntervalMs ?? 250;
  const minLimit = opts.minLimit ?? 8;
  const headroom = opts.headroom ?? { normal: 1, high: 2 };
  let inFlight = 0;
  let peakInFlight = 0;
  let limit = Number.POSITIVE_INFINITY;
  let overloaded = false;
  let lastOverloadedAt = Number.NEGATIVE_INFINITY;
  let nextAdjustAt = Number.NEGATIVE_INFINITY;

  function adjust(t: number): void {
    nextAdjustAt = t + adjustIntervalMs;
    const { utilization, delayMs } = opts.load();
    overloaded = utilization >= utilizationThreshold && delayMs >= delayThresholdMs;
    if (overloaded) {
      lastOverloadedAt = t;
      limit = Math.max(minLimit, Math.floor(Math.min(limit, peakInFlight) * DECREASE));
    } else if (t - lastOverloadedAt >= coolDownMs) {
      limit = Number.POSITIVE_INFINITY;
    } else {
      limit += 1;
    }
    peakInFlight = inFlight;
  }

  return {
    admit(priority) {
      if (priority === 'critical') return BYPASS;
      const t = now();
      if (t >= nextAdjustAt) adjust(t);
      if (inFlight >= limit * headroom[priority]) return undefined;
      inFlight += 1;
      if (inFlight > peakInFlight) peakInFlight = inFlight;
      let open = true;
      return {
        done() {
          if (!open) return;
          open = false;
          inFlight -= 1;
        },
      };
    },
    stats: () => ({ inFlight, limit, overloaded }),
  };
}
