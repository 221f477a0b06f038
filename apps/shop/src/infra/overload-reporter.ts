import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import {
  createKeyedThrottle,
  type Bulkhead,
  type BulkheadRefusal,
  type ShedPriority,
} from '@surge/resilience';

export interface OverloadReporter {
  /** Publishes a bulkhead's slots in use and callers waiting, at each scrape. */
  watch(name: string, bulkhead: Pick<Bulkhead, 'active' | 'queued'>): void;
  /** A bulkhead (`mysql`, `password-hashing`) did not run a call: refused, or its client had gone. */
  rejected(bulkhead: string, reason: BulkheadRefusal): void;
  /** The load shedder dropped a request of `route` (template) at `priority`. */
  shed(route: string, priority: ShedPriority, stats: () => Record<string, unknown>): void;
}

/**
 * Counts refusals under load — `surge_bulkhead_rejections_total{bulkhead,reason}` and
 * `surge_shed_requests_total{route,priority}` — shows each bulkhead's `surge_bulkhead_in_use` and
 * `surge_bulkhead_queued{bulkhead}`, and logs refusals at most once per 10 s per source
 * with how many were held back: under a flood each would otherwise be a log line (the access log
 * and the error handler skip them, docs/operations.md).
 */
export function createOverloadReporter(registry: Registry, logger: Logger): OverloadReporter {
  const rejections = new Counter({
    name: 'surge_bulkhead_rejections_total',
    help: 'Calls a bulkhead did not run: its queue was full, the wait budget ran out, or the caller gave up (abandoned)',
    labelNames: ['bulkhead', 'reason'] as const,
    registers: [registry],
  });
  const shedRequests = new Counter({
    name: 'surge_shed_requests_total',
    help: 'Requests the adaptive load shedder answered 503 OVERLOADED, by route template and priority',
    labelNames: ['route', 'priority'] as const,
    registers: [registry],
  });
  const watched = new Map<string, Pick<Bulkhead, 'active' | 'queued'>>();
  new Gauge({
    name: 'surge_bulkhead_in_use',
    help: 'Slots of a bulkhead held now (MySQL connections handed out, password hashes running)',
    labelNames: ['bulkhead'] as const,
    registers: [registry],
    collect() {
      for (const [name, b] of watched) this.labels(name).set(b.active);
    },
  });
  new Gauge({
    name: 'surge_bulkhead_queued',
    help: 'Calls waiting for a slot of a bulkhead now',
    labelNames: ['bulkhead'] as const,
    registers: [registry],
    collect() {
      for (const [name, b] of watched) this.labels(name).set(b.queued);
    },
  });
  const throttles = createKeyedThrottle(10_000);
  return {
    watch(name, bulkhead) {
      watched.set(name, bulkhead);
    },
    rejected(bulkhead, reason) {
      rejections.labels(bulkhead, reason).inc();
      const suppressed = throttles.pass(`bulkhead:${bulkhead}`);
      if (suppressed !== undefined)
        logger.warn({ bulkhead, reason, suppressed }, 'bulkhead did not run calls');
    },
    shed(route, priority, stats) {
      shedRequests.labels(route, priority).inc();
      const suppressed = throttles.pass('shedder');
      if (suppressed !== undefined) logger.warn({ route, priority, suppressed, ...stats() }, 'shedding load');
    },
  };
}
