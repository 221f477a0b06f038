import { Counter, type Registry } from 'prom-client';
import { BoundHistogram, type BoundHistogramChild } from './bound-histogram.ts';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * RED metrics for an HTTP server: `<prefix>http_requests_total` (rate and errors by status class)
 * and `<prefix>http_request_duration_seconds` (duration histogram), labelled by method, route
 * template and status class. Label children are resolved once per combination and kept; the
 * request count is a plain number handed to prom-client at collection, and the histogram is a
 * {@link BoundHistogram}, so an observation hashes no labels.
 */
export function createHttpMetrics(registry: Registry, prefix = 'surge_') {
  const labelNames = ['method', 'route', 'status_class'] as const;
  type Labels = Record<(typeof labelNames)[number], string>;
  // Requests are counted in plain numbers and handed to prom-client when it collects (a scrape):
  // a prom-client child's `inc()` hashes its labels on every call, on every request.
  const counts: { labels: Labels; pending: number }[] = [];
  const requests = new Counter({
    name: `${prefix}http_requests_total`,
    help: 'HTTP requests by method, route template and status class',
    labelNames,
    registers: [registry],
    collect() {
      for (const c of counts) {
        if (c.pending === 0) continue;
        this.inc(c.labels, c.pending);
        c.pending = 0;
      }
    },
  });
  // Not prom-client's Histogram: its children hash their labels on every observation.
  const duration = new BoundHistogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'HTTP request duration by method, route template and status class',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  type Children = { count: { pending: number }; time: BoundHistogramChild };
  // route → method → status class index → children, resolved once per combination (no key
  // string built per request). Bounded by routes × methods × 5: routes are templates, never raw URLs.
  const children = new Map<string, Map<string, (Children | undefined)[]>>();
  const resolve = (method: string, route: string, classIndex: number): Children => {
    let byMethod = children.get(route);
    if (!byMethod) children.set(route, (byMethod = new Map<string, (Children | undefined)[]>()));
    let byClass = byMethod.get(method);
    if (!byClass) byMethod.set(method, (byClass = []));
    let c = byClass[classIndex];
    if (!c) {
      const labels = { method, route, status_class: STATUS_CLASSES[classIndex] ?? '5xx' };
      const count = { labels, pending: 0 };
      counts.push(count);
      // Present at 0 from the first request on, as before.
      requests.inc(labels, 0);
      c = byClass[classIndex] = { count, time: duration.labels(labels) };
    }
    return c;
  };
  return {
    /**
     * @param route the route template (`/v1/orders/:id`), never the raw URL (cardinality)
     * @param durationMs time to the response, in milliseconds
     */
    observe(method: string, route: string, statusCode: number, durationMs: number): void {
      const i = Math.floor(statusCode / 100) - 1;
      const classIndex = i >= 0 && i < STATUS_CLASSES.length ? i : 4;
      const c = children.get(route)?.get(method)?.[classIndex] ?? resolve(method, route, classIndex);
      c.count.pending++;
      c.time.observe(durationMs / 1000);
    },
  };
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;
