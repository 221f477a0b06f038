import { Gauge, type Registry } from 'prom-client';

const NAME = 'surge_consumer_lag';

/**
 * `surge_consumer_lag{group,topic,partition}`: messages between the partition's end and this
 * group's committed offset, for partitions this member owns. One gauge per registry, shared by
 * every subscription; a partition this member no longer owns is removed from the gauge.
 */
export function consumerLagGauge(registry: Registry) {
  const gauge =
    (registry.getSingleMetric(NAME) as Gauge<'group' | 'topic' | 'partition'> | undefined) ??
    new Gauge({
      name: NAME,
      help: 'Consumer lag in messages per group and partition (end offset minus committed offset)',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
    });
  return {
    /** @param lag per topic, per partition index; negative when not owned by this member */
    record(group: string, lag: Map<string, bigint[]>): void {
      for (const [topic, partitions] of lag) {
        partitions.forEach((l, partition) => {
          const labels = { group, topic, partition: String(partition) };
          if (l >= 0n) gauge.set(labels, Number(l));
          else gauge.remove(labels);
        });
      }
    },
  };
}
