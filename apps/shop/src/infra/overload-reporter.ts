import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { createThrottle, type ShedPriority, type Throttle } from '@surge/resilience';

export interface OverloadReporter {
  /** A bulkhead (`mysql`, `password-hashing`) refused a call. */
  rejected(bulkhead: string, reason: 'queue-full' | 'queue-timeout'): void;
  /** The load shedder dropped a request of `route` (template) at `priority`. */
  shed(route: string, priority: ShedPriority, stats: () => Record<string, unknown>): void;
}

/**
 * Counts refusals under load — `surge_bulkhead_rejections_total{bulkhead,reason}` and
 * `surge_shed_requests_total{route,priority}` — and logs them at most once per 10 s per source
 * with how many were held back: under a flood each would otherwise be a log line (the access log
 * and the error handler skip them, docs/operations.md).
 */
export function createOverloadReporter(registry: Registry, logger: Logger): OverloadReporter {
  const rejections = new Counter({
    name: 'surge_bulkhead_rejections_total',
    help: 'Calls a bulkhead refused because its queue was full or the wait budget ran out',
    labelNames: ['bulkhead', 'reason'] as const,
    registers: [registry],
  });
  const shedRequests = new Counter({
    name: 'surge_shed_requests_total',
    help: 'Requests the adaptive load shedder answered 503 OVERLOADED, by route template and priority',
    labelNames: ['route', 'priority'] as const,
    registers: [registry],
  });
  const throttles = new Map<string, Throttle>();
  const pass = (source: string) => {
    let t = throttles.get(source);
    if (!t) throttles.set(source, (t = createThrottle(10_000)));
    return t.pass();
  };
  return {
    rejected(bulkhead, reason) {
      rejections.labels(bulkhead, reason).inc();
      const suppressed = pass(`bulkhead:${bulkhead}`);
      if (suppressed !== undefined)
        logger.warn({ bulkhead, reason, suppressed }, 'bulkhead full: refusing calls');
    },
    shed(route, priority, stats) {
      shedRequests.labels(route, priority).inc();
      const suppressed = pass('shedder');
      if (suppressed !== undefined) logger.warn({ route, priority, suppressed, ...stats() }, 'shedding load');
    },
  };
}
