import { Admin } from '@platformatic/kafka';
import { eventually } from '@surge/test-support';

const admin = (brokers: string[]) =>
  new Admin({
    clientId: 'surge-tests-admin',
    bootstrapBrokers: brokers,
    timeout: 10_000,
    requestTimeout: 10_000,
  });

/**
 * Deletes every topic whose name starts with `prefix` (a test's own `KAFKA_TOPIC_PREFIX`), so test
 * runs do not pile topics up on a broker. Best effort: never throws.
 */
export async function deleteTopicsWithPrefix(brokers: string[], prefix: string): Promise<void> {
  if (prefix === '') throw new RangeError('refusing to delete every topic (empty prefix)');
  const a = admin(brokers);
  try {
    const mine = (await a.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length > 0) await a.deleteTopics({ topics: mine });
  } catch {
    // a leftover topic is harmless: its prefix is unique
  } finally {
    await a.close().catch(() => {});
  }
}

/** Sum over partitions of the offsets `group` has committed on `topic` (0 when none). */
export async function committedOffsets(brokers: string[], group: string, topic: string): Promise<number> {
  const a = admin(brokers);
  try {
    const [g] = await a.listConsumerGroupOffsets({ groups: [group] });
    const partitions = g?.topics.find((t) => t.name === topic)?.partitions ?? [];
    return partitions.reduce((n, p) => n + Math.max(0, Number(p.committedOffset)), 0);
  } finally {
    await a.close();
  }
}

/** End offset (next offset to be written) of each partition of each topic, by topic then partition index. */
export async function endOffsets(
  brokers: string[],
  topics: readonly string[],
): Promise<Map<string, bigint[]>> {
  const a = admin(brokers);
  try {
    const { topics: meta } = await a.metadata({ topics: [...topics] });
    const listed = await a.listOffsets({
      topics: topics.map((name) => ({
        name,
        // -1 asks for the latest offset (Kafka's ListOffsets LATEST_TIMESTAMP).
        partitions: Array.from({ length: meta.get(name)?.partitionsCount ?? 0 }, (_, partitionIndex) => ({
          partitionIndex,
          timestamp: -1n,
        })),
      })),
    });
    const ends = new Map<string, bigint[]>();
    for (const t of listed) {
      const row: bigint[] = [];
      for (const p of t.partitions) row[p.partitionIndex] = p.offset;
      ends.set(t.name, row);
    }
    return ends;
  } finally {
    await a.close();
  }
}

/**
 * What every consumer group whose id starts with `groupPrefix` has committed, keyed by group id,
 * then `topic:partition` (absent when the group committed nothing there).
 */
export async function committedByGroup(
  brokers: string[],
  groupPrefix: string,
): Promise<Map<string, Map<string, bigint>>> {
  const a = admin(brokers);
  try {
    const groups = [...(await a.listGroups()).keys()].filter((g) => g.startsWith(groupPrefix));
    const result = new Map<string, Map<string, bigint>>();
    if (groups.length === 0) return result;
    for (const g of await a.listConsumerGroupOffsets({ groups })) {
      const offsets = new Map<string, bigint>();
      for (const t of g.topics)
        for (const p of t.partitions)
          if (p.committedOffset >= 0n) offsets.set(`${t.name}:${p.partitionIndex}`, p.committedOffset);
      result.set(g.groupId, offsets);
    }
    return result;
  } finally {
    await a.close();
  }
}

/** Waits until `topic` exists with partitions (the worker role provisions topics in the background). */
export async function waitForTopic(brokers: string[], topic: string): Promise<void> {
  await eventually(`the topic ${topic}`, async () => {
    const ends = await endOffsets(brokers, [topic]).catch(() => undefined);
    return (ends?.get(topic)?.length ?? 0) > 0 ? true : undefined;
  });
}
