import { Admin } from '@platformatic/kafka';

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
