import type { Registry } from 'prom-client';
import { consumerLagGauge } from './consumer-lag.ts';
import type { GroupConsumer } from './kafka-consumer.ts';

/**
 * Measures the lag of `group` on `topic` every `intervalMs` into `surge_consumer_lag` of
 * `registry`, with the client's lag monitor. Returns the function that stops it.
 */
export function startLagReporting(
  consumer: GroupConsumer,
  p: {
    registry: Registry;
    group: string;
    topic: string;
    /** Measurement period, ms. */
    intervalMs: number;
    report: (err: unknown, context: string) => void;
  },
): () => void {
  const gauge = consumerLagGauge(p.registry);
  consumer.on('consumer:lag', (lag) => gauge.record(p.group, lag));
  // Lag errors (broker down) are reported on this event; they must not become 'error' events.
  consumer.on('consumer:lag:error', (err) => p.report(err, `measuring lag of ${p.topic}`));
  consumer.startLagMonitoring({ topics: [p.topic] }, p.intervalMs);
  return () => consumer.stopLagMonitoring();
}
