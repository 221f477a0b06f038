import { collectDefaultMetrics, Registry } from 'prom-client';

/** A Prometheus registry with the process's default metrics under `prefix` (default `surge_`). */
export function createMetricsRegistry(
  opts: { prefix?: string; labels?: Record<string, string> } = {},
): Registry {
  const registry = new Registry();
  if (opts.labels) registry.setDefaultLabels(opts.labels);
  collectDefaultMetrics({ register: registry, prefix: opts.prefix ?? 'surge_' });
  return registry;
}
