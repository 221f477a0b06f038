import { Admin, findErrorBy } from '@platformatic/kafka';
import { deadLetterTopic } from '../dead-letter-headers.ts';

export interface TopicSpec {
  name: string;
  /** Default 3. */
  partitions?: number;
  /** Default 1 (the local single node); 3 in production clusters. */
  replicationFactor?: number;
  /** Also create `<name>.dlt` with the same settings. Default true. */
  withDeadLetter?: boolean;
}

/**
 * Creates the declared topics (and their `.dlt` topics) that do not exist yet. Idempotent: safe
 * to run on every start of every instance. Existing topics are left as they are (partition
 * counts are never changed here: that would move keys between partitions).
 */
export async function provisionTopics(
  opts: { brokers: string[]; clientId: string; timeoutMs?: number },
  topics: readonly TopicSpec[],
): Promise<string[]> {
  const timeout = opts.timeoutMs ?? 10_000;
  const admin = new Admin({
    clientId: `${opts.clientId}-admin`,
    bootstrapBrokers: opts.brokers,
    timeout,
    requestTimeout: timeout,
  });
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = topics.flatMap((t) =>
      t.withDeadLetter === false ? [t] : [t, { ...t, name: deadLetterTopic(t.name) }],
    );
    const created: string[] = [];
    for (const t of wanted) {
      if (existing.has(t.name)) continue;
      try {
        await admin.createTopics({
          topics: [t.name],
          partitions: t.partitions ?? 3,
          replicas: t.replicationFactor ?? 1,
        });
        created.push(t.name);
      } catch (err) {
        // Another instance created it between our list and create: that is success. The broker's
        // TOPIC_ALREADY_EXISTS sits inside nested AggregateErrors, not in the outer message
        // (found by two workers starting at once: the loser logged "is Kafka up?" and backed off).
        if (findErrorBy(err as Error, 'apiId', 'TOPIC_ALREADY_EXISTS') === null) throw err;
      }
    }
    return created;
  } finally {
    await admin.close();
  }
}
