/**
 * Lets one event through per `intervalMs` and counts the ones it held back, so a failure that
 * repeats on every call (Redis down) logs one line per interval with how many were suppressed,
 * instead of one per call.
 * @param now clock in ms; default `Date.now`
 */
export function createThrottle(intervalMs: number, now: () => number = Date.now) {
  let openAt = Number.NEGATIVE_INFINITY;
  let held = 0;
  return {
    /**
     * Returns how many events were held back since the last one let through when this one may
     * pass (0 for the first), or `undefined` when it is held back.
     */
    pass(): number | undefined {
      const t = now();
      if (t < openAt) return void (held += 1);
      openAt = t + intervalMs;
      const suppressed = held;
      held = 0;
      return suppressed;
    },
  };
}

export type Throttle = ReturnType<typeof createThrottle>;

/**
 * One {@link createThrottle} per kind of event (a route and code, a policy, a bulkhead), so that
 * each kind logs its own line per interval. At most `maxKinds` kinds are remembered (default
 * 200); the kinds beyond them share one throttle, so even an unbounded set of kinds logs a
 * bounded number of lines.
 */
export function createKeyedThrottle(
  intervalMs: number,
  opts: { maxKinds?: number; now?: () => number } = {},
) {
  const maxKinds = opts.maxKinds ?? 200;
  const throttles = new Map<string, Throttle>();
  const overflow = createThrottle(intervalMs, opts.now);
  return {
    /** {@link Throttle.pass} for `kind`. */
    pass(kind: string): number | undefined {
      let throttle = throttles.get(kind);
      if (throttle === undefined) {
        if (throttles.size >= maxKinds) return overflow.pass();
        throttle = createThrottle(intervalMs, opts.now);
        throttles.set(kind, throttle);
      }
      return throttle.pass();
    },
  };
}

export type KeyedThrottle = ReturnType<typeof createKeyedThrottle>;
