/** Cumulative bucket counts of one series of a Prometheus histogram, by upper bound (seconds). */
export type Buckets = Map<number, number>;

/**
 * The buckets of `name` whose labels include every pair of `labels`, summed over the other
 * labels, from a `/metrics` text.
 */
export function histogramBuckets(metricsText: string, name: string, labels: Record<string, string>): Buckets {
  const buckets: Buckets = new Map();
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`)) continue;
    const m = /\{(.*)\} (\d+(?:\.\d+)?)$/.exec(line);
    if (!m?.[1]) continue;
    const pairs: Record<string, string> = {};
    for (const p of m[1].matchAll(/(\w+)="([^"]*)"/g)) if (p[1] !== undefined) pairs[p[1]] = p[2] ?? '';
    if (!Object.entries(labels).every(([k, v]) => pairs[k] === v)) continue;
    const le = pairs.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(pairs.le);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  return buckets;
}

/**
 * The upper bound (ms) of the bucket holding the `p`-th percentile of what was observed between
 * two scrapes (`after` − `before`), and how many observations that was. Bucket resolution only.
 */
export function percentileBetween(before: Buckets, after: Buckets, p: number): { ms: number; count: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  const rank = (count * p) / 100;
  for (const le of bounds) {
    if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= rank) return { ms: le * 1000, count };
  }
  return { ms: Number.NaN, count };
}
