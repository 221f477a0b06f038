/**
 * Spreads a TTL uniformly over `ttlMs · (1 ± ratio)` so that keys written together do not expire
 * together (cache avalanche, SPEC §8). `random` returns a number in [0, 1), like `Math.random`.
 * Never returns less than 1 ms.
 */
export function jitterTtl(ttlMs: number, ratio: number, random: () => number = Math.random): number {
  if (ratio === 0) return ttlMs;
  const factor = 1 + ratio * (2 * random() - 1);
  return Math.max(1, Math.round(ttlMs * factor));
}
