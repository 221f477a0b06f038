import { Counter, Histogram, type Registry } from 'prom-client';

export interface HttpObservation {
  method: string;
  /** The route template (`/v1/orders/:id`), never the raw URL: raw URLs explode cardinality. */
  route: string;
  statusCode: number;
  durationMs: number;
}

/**
 * RED metrics for an HTTP server: `<prefix>http_requests_total` (rate and errors by status class)
 * and `<prefix>http_request_duration_seconds` (duration histogram), labelled by method and route.
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
  return {
    observe(o: HttpObservation): void {
      const labels = {
        method: o.method,
        route: o.route,
        status_class: `${Math.floor(o.statusCode / 100)}xx`,
      };
      requests.inc(labels);
      duration.observe(labels, o.durationMs / 1000);
    },
  };
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;
