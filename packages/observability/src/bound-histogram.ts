import type { MetricValueWithName, Registry } from 'prom-client';

export interface BoundHistogramOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  /** Upper bounds, ascending; `+Inf` is implied. */
  buckets: readonly number[];
  registers: readonly Registry[];
}

/** One label combination's series: `observe` is a loop over the bounds and three additions. */
export interface BoundHistogramChild {
  observe(value: number): void;
}

/**
 * A Prometheus histogram whose label children are resolved once and then observed without
 * touching their labels. prom-client's own `histogram.labels(...).observe(v)` copies, validates
 * and hashes the labels on every call (~1 µs, the largest single item of a cached product read's
 * own code in a CPU profile: docs/benchmarks.md, P2). This one is registered in prom-client's
 * registry like any metric and exposed in the same text format; it does only what the service's
 * RED metrics need: no exemplars, no `startTimer`, no removal of series.
 */
export class BoundHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly #bounds: readonly number[];
  readonly #labelNames: readonly L[];
  readonly #series: { labels: Record<L, string>; buckets: number[]; sum: number; count: number }[] = [];

  constructor(opts: BoundHistogramOptions<L>) {
    for (let i = 1; i < opts.buckets.length; i++) {
      if (!((opts.buckets[i] ?? NaN) > (opts.buckets[i - 1] ?? NaN)))
        throw new TypeError(`${opts.name}: buckets must be ascending numbers`);
    }
    this.name = opts.name;
    this.help = opts.help;
    this.#bounds = [...opts.buckets];
    this.#labelNames = [...opts.labelNames];
    for (const r of opts.registers) r.registerMetric(this as never);
  }

  /** The series of one label combination (call once per combination and keep the child). */
  labels(labels: Record<L, string>): BoundHistogramChild {
    for (const n of this.#labelNames)
      if (typeof labels[n] !== 'string') throw new TypeError(`${this.name}: label ${n} is missing`);
    const s = { labels: { ...labels }, buckets: this.#bounds.map(() => 0), sum: 0, count: 0 };
    this.#series.push(s);
    const bounds = this.#bounds;
    return {
      observe(value: number) {
        if (!Number.isFinite(value)) return;
        s.sum += value;
        s.count++;
        for (let i = 0; i < bounds.length; i++) {
          if (value <= (bounds[i] as number)) {
            (s.buckets[i] as number)++;
            return;
          }
        }
      },
    };
  }

  /** What prom-client's registry reads on a scrape: cumulative buckets, `+Inf`, sum and count. */
  // prom-client's types say `MetricType` (an enum of numbers); its registry writes `type` as is,
  // and its own metrics use these strings.
  get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: MetricValueWithName<string>[];
  }> {
    const values: MetricValueWithName<string>[] = [];
    for (const s of this.#series) {
      let acc = 0;
      this.#bounds.forEach((le, i) => {
        acc += s.buckets[i] ?? 0;
        values.push({ labels: { le, ...s.labels }, value: acc, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
  }

  /** `registry.resetMetrics()`: every series back to zero (the children stay valid). */
  reset(): void {
    for (const s of this.#series) {
      s.buckets.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
