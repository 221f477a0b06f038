import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Relay metrics (docs/operations.md), labelled by outbox table. Gauges are set by the active relay only and
 * zeroed by standbys, so aggregate them across instances with `max`, not `sum`.
 */
export interface OutboxMetrics {
  stats(backlog: number, oldestAgeSeconds: number): void;
  active(isActive: boolean): void;
  published(topic: string, count: number): void;
  publishFailed(topic: string): void;
}

const noop: OutboxMetrics = { stats() {}, active() {}, published() {}, publishFailed() {} };

/**
 * `surge_outbox_backlog`, `surge_outbox_oldest_unsent_age_seconds`, `surge_outbox_relay_active`,
 * `surge_outbox_published_total{topic}`, `surge_outbox_publish_errors_total{topic}`. Several
 * relays may share one registry: a metric already registered is reused.
 * @param registry none → metrics are not recorded
 */
export function createOutboxMetrics(registry: Registry | undefined, table: string): OutboxMetrics {
  if (!registry) return noop;
  function metric<M>(name: string, make: () => M): M {
    return (registry?.getSingleMetric(name) as M | undefined) ?? make();
  }
  const registers = [registry];
  const backlog = metric(
    'surge_outbox_backlog',
    () =>
      new Gauge({
        name: 'surge_outbox_backlog',
        help: 'Unsent outbox rows',
        labelNames: ['table'],
        registers,
      }),
  );
  const oldest = metric(
    'surge_outbox_oldest_unsent_age_seconds',
    () =>
      new Gauge({
        name: 'surge_outbox_oldest_unsent_age_seconds',
        help: 'Age of the oldest unsent outbox row (0 when none), seconds',
        labelNames: ['table'],
        registers,
      }),
  );
  const isActive = metric(
    'surge_outbox_relay_active',
    () =>
      new Gauge({
        name: 'surge_outbox_relay_active',
        help: '1 while this process holds the relay lock',
        labelNames: ['table'],
        registers,
      }),
  );
  const published = metric(
    'surge_outbox_published_total',
    () =>
      new Counter({
        name: 'surge_outbox_published_total',
        help: 'Outbox messages published and acknowledged by the broker',
        labelNames: ['table', 'topic'],
        registers,
      }),
  );
  const errors = metric(
    'surge_outbox_publish_errors_total',
    () =>
      new Counter({
        name: 'surge_outbox_publish_errors_total',
        help: 'Failed publish calls of the outbox relay (each is retried)',
        labelNames: ['table', 'topic'],
        registers,
      }),
  );
  return {
    stats(rows, ageSeconds) {
      backlog.set({ table }, rows);
      oldest.set({ table }, ageSeconds);
    },
    active(on) {
      isActive.set({ table }, on ? 1 : 0);
    },
    published: (topic, count) => published.inc({ table, topic }, count),
    publishFailed: (topic) => errors.inc({ table, topic }),
  };
}
