import { Gauge, type Registry } from 'prom-client';

const NAME = 'surge_consumer_stuck_seconds';

/** What one subscription reports at each scrape. */
type Source = () => void;

const sourcesByRegistry = new WeakMap<Registry, Set<Source>>();

function gaugeOf(registry: Registry): {
  gauge: Gauge<'group' | 'topic' | 'partition'>;
  sources: Set<Source>;
} {
  let sources = sourcesByRegistry.get(registry);
  const existing = registry.getSingleMetric(NAME) as Gauge<'group' | 'topic' | 'partition'> | undefined;
  if (existing && sources) return { gauge: existing, sources };
  sources = new Set();
  const all = sources;
  sourcesByRegistry.set(registry, all);
  const gauge =
    existing ??
    new Gauge({
      name: NAME,
      help:
        'Seconds the record at the head of a partition has been in its handler (retries and redeliveries ' +
        'included), as seen from one scrape to the next; 0 while the partition moves. A poison record ' +
        'or a dependency outage holds it up: alert when it grows past a few minutes',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
      collect() {
        for (const report of all) report();
      },
    });
  return { gauge, sources: all };
}

/**
 * Exports `surge_consumer_stuck_seconds{group,topic,partition}` for one subscription, computed
 * when the registry is scraped (nothing on the per-record path): a partition whose head record
 * is the same offset as at the previous scrape has been stuck since that scrape first saw it.
 * Returns the function that stops reporting (and removes this subscription's series).
 * @param heads each owned partition and the offset of the record in its handler (`undefined`: idle)
 * @param now clock, epoch ms (tests inject one)
 */
export function reportStuckPartitions(
  registry: Registry,
  p: {
    group: string;
    topic: string;
    heads: () => Iterable<[number, bigint | undefined]>;
    now?: () => number;
  },
): () => void {
  const { gauge, sources } = gaugeOf(registry);
  const now = p.now ?? Date.now;
  const seen = new Map<number, { offset: bigint | undefined; since: number }>();
  const labels = (partition: number) => ({ group: p.group, topic: p.topic, partition: String(partition) });
  const report: Source = () => {
    const t = now();
    const owned = new Set<number>();
    for (const [partition, offset] of p.heads()) {
      owned.add(partition);
      const before = seen.get(partition);
      if (offset === undefined || before?.offset !== offset) {
        seen.set(partition, { offset, since: t });
        gauge.set(labels(partition), 0);
      } else {
        gauge.set(labels(partition), (t - before.since) / 1000);
      }
    }
    for (const partition of seen.keys()) {
      if (owned.has(partition)) continue;
      seen.delete(partition);
      gauge.remove(labels(partition));
    }
  };
  sources.add(report);
  return () => {
    sources.delete(report);
    for (const partition of seen.keys()) gauge.remove(labels(partition));
    seen.clear();
  };
}
