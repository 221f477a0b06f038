/**
 * Spreads `ms` uniformly over `ms · (1 ± ratio)`, so that things scheduled together (TTLs written
 * together, timers of several instances, polls) do not fire together. `ratio` in [0, 1).
 * Never returns less than 1 ms. `random` returns a number in [0, 1), like `Math.random`.
 */
export function jitter(ms: number, ratio: number, random: () => number = Math.random): number {
  if (!(ratio >= 0 && ratio < 1)) throw new RangeError(`jitter: ratio must be in [0, 1), got ${ratio}`);
  if (ratio === 0) return ms;
  return Math.max(1, Math.round(ms * (1 + ratio * (2 * random() - 1))));
}
