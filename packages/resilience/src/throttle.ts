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
