import { Counter, Histogram, type Registry } from 'prom-client';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * RED metrics for an HTTP server: `<prefix>http_requests_total` (rate and errors by status class)
 * and `<prefix>http_request_duration_seconds` (duration histogram), labelled by method, route
 * template and status class. Label children are resolved once per combination and kept, so an
 * observation is two increments, not a label hash per request.
 */
export function createHttpMetrics(registry: Registry, prefix = 'surge_') {
  const labelNames = ['method', 'route', 'status_class'] as const;
  const requests = new Counter({
    name: `${prefix}http_requests_total`,
    help: 'HTTP requests by method, route template and status class',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'HTTP request duration by method, route template and status class',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  type Children = { count: ReturnType<typeof requests.labels>; time: ReturnType<typeof duration.labels> };
  // Bounded by routes × methods × 5: routes are templates, never raw URLs.
  const children = new Map<string, Children>();
  return {
    /**
     * @param route the route template (`/v1/orders/:id`), never the raw URL (cardinality)
     * @param durationMs time to the response, in milliseconds
     */
    observe(method: string, route: string, statusCode: number, durationMs: number): void {
      const statusClass = STATUS_CLASSES[Math.floor(statusCode / 100) - 1] ?? '5xx';
      const key = `${method} ${route} ${statusClass}`;
      let c = children.get(key);
      if (!c) {
        const labels = { method, route, status_class: statusClass };
        c = { count: requests.labels(labels), time: duration.labels(labels) };
        children.set(key, c);
      }
      c.count.inc();
      c.time.observe(durationMs / 1000);
    },
  };
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;
