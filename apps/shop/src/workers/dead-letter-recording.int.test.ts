import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPartitioner } from '@platformatic/kafka';
import { v7 as uuidv7 } from 'uuid';
import { createKafkaPublisher, deadLetterTopic, provisionTopics, type Message } from '@surge/messaging';
import { CATALOG_TOPIC, ProductChanged } from '../modules/catalog/catalog-events.ts';
import { moduleTopics } from '../modules/index.ts';
import { ORDERS_TOPIC, OrderPlaced } from '../modules/orders/order-events.ts';
import { USERS_TOPIC, UserRegistered } from '../modules/users/user-events.ts';
import { eventually } from '@surge/test-support';
import { committedByGroup, deleteTopicsWithPrefix, endOffsets } from '../testing/kafka-topics.ts';
import { scratchDatabase } from '../testing/scratch-database.ts';
import { spawnService, type ServiceProcess } from '../testing/spawn-service.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());

/** A key the producer's partitioner sends to `partition` (the same on a topic and its `.dlt`). */
function keyFor(topic: string, partition: number, partitions: number): string {
  for (let i = 0; ; i++) {
    const key = `poison-${partition}-${i}`;
    if (defaultPartitioner({ topic }, Buffer.from(key)) % partitions === partition) return key;
  }
}

/**
 * G7 regression: the recorders of the dead-letter topics once shared one consumer
 * group, each subscribed to a different topic. The client's assigner spreads every subscribed
 * partition over every member regardless of what each member subscribed to, so most `.dlt`
 * partitions sat with members that never fetch them: 8 of 9 dead letters were never recorded.
 * With two workers, every dead letter of every `.dlt` partition must reach `dead_letters`, and
 * every recorder group must have committed up to the end of every partition.
 */
describe('two workers record a dead letter from every partition of every topic', () => {
  const prefix = `test-dlt-${crypto.randomUUID().slice(0, 8)}-`;
  const scratch = scratchDatabase('dlt');
  const children: ServiceProcess[] = [];
  const publisher = createKafkaPublisher({ brokers, clientId: 'dead-letter-test', timeoutMs: 30_000 });
  // Every topic of every module (each consumed by at least one of the service's consumers).
  const topics = moduleTopics();

  before(async () => {
    await provisionTopics(
      { brokers, clientId: 'dead-letter-test' },
      topics.map((t) => ({ ...t, name: prefix + t.name })),
    );
  });
  after(async () => {
    for (const c of children)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await publisher.close();
    await Promise.all([scratch.drop(), deleteTopicsWithPrefix(brokers, prefix)]);
  });

  it('every dead letter is in MySQL and every recorder group has no lag', { timeout: 120_000 }, async (t) => {
    const started = Date.now();
    const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    for (let i = 0; i < 2; i++) {
      children.push(
        await spawnService({
          SURGE_ROLE: 'worker',
          MYSQL_URL: scratch.url,
          KAFKA_BROKERS: brokers.join(','),
          KAFKA_TOPIC_PREFIX: prefix,
          LOG_LEVEL: 'info',
        }),
      );
    }
    for (const [i, w] of children.entries()) {
      await eventually(`worker ${i} to start its consumers`, () => {
        if (w.child.exitCode !== null) throw new Error(`worker exited early:\n${w.output()}`);
        return Promise.resolve(w.output().includes('consumers started') ? true : undefined);
      });
    }
    t.diagnostic(`${at()}: two workers consuming`);

    // One schema-invalid record on every partition of every topic, and who dead-letters it.
    const typeOf: Record<string, string> = {
      [USERS_TOPIC]: UserRegistered.type,
      [CATALOG_TOPIC]: ProductChanged.type,
      [ORDERS_TOPIC]: OrderPlaced.type,
    };
    const deadLetteredBy: Record<string, string[]> = {
      [USERS_TOPIC]: [`${prefix}surge-audit`, `${prefix}surge-notifications`],
      [CATALOG_TOPIC]: [`${prefix}surge-cache-invalidation`, `${prefix}surge-flash-sale-cache`],
      [ORDERS_TOPIC]: [
        `${prefix}surge-cancelled-order-refunds`,
        `${prefix}surge-leaderboards`,
        `${prefix}surge-order-notifications`,
        `${prefix}surge-order-writer`,
        `${prefix}surge-payment-deadlines`,
        `${prefix}surge-stock-releaser`,
      ],
    };
    const expected = new Map<string, string[]>(); // poison id → groups that dead-letter it
    // Partition counts as the broker has them.
    const base = await endOffsets(
      brokers,
      topics.map((tp) => prefix + tp.name),
    );
    for (const topic of topics) {
      const partitions = base.get(prefix + topic.name)?.length ?? 0;
      assert.ok(partitions > 0, `${prefix + topic.name} has no partitions`);
      const poison: Message[] = Array.from({ length: partitions }, (_, p) => ({
        id: uuidv7(),
        type: typeOf[topic.name] ?? 'unknown',
        source: '/tests/dead-letter-recording',
        time: new Date().toISOString(),
        key: keyFor(prefix + topic.name, p, partitions),
        data: { poison: true },
        headers: {},
      }));
      await publisher.publish(prefix + topic.name, poison);
      for (const m of poison) expected.set(m.id, deadLetteredBy[topic.name] ?? []);
    }
    const deadLetters = [...expected.values()].reduce((n, g) => n + g.length, 0);
    t.diagnostic(`${at()}: ${expected.size} poison records published; ${deadLetters} dead letters expected`);

    const dltTopics = topics.map((tp) => deadLetterTopic(prefix + tp.name));
    let state = '';
    const done = await eventually(
      'every dead letter recorded and committed by its recorder group',
      async () => {
        const [end, committed, rows] = await Promise.all([
          endOffsets(brokers, dltTopics),
          committedByGroup(brokers, `${prefix}surge-dead-letter-recorder`),
          scratch.db
            .selectFrom('dead_letters')
            .select(['dlt_topic', 'dlt_partition', 'dlt_offset', 'event_id', 'consumer_group', 'error_class'])
            .execute(),
        ]);
        const positions: string[] = [];
        const lagging: string[] = [];
        for (const [topic, partitions] of end) {
          partitions.forEach((e, p) => {
            for (let o = 0n; o < e; o++) positions.push(`${topic}:${p}@${o}`);
            const c = [...committed.values()].map((g) => g.get(`${topic}:${p}`) ?? -1n);
            const max = c.reduce((m, x) => (x > m ? x : m), -1n);
            if (max !== e) lagging.push(`${topic}:${p} end ${e} committed ${max < 0n ? 'none' : max}`);
          });
        }
        const recorded = rows.map((r) => `${r.dlt_topic}:${r.dlt_partition}@${r.dlt_offset}`);
        const missing = positions.filter((x) => !recorded.includes(x));
        const pairs = new Set(rows.map((r) => `${r.event_id} ${r.consumer_group}`));
        const uncovered = [...expected].flatMap(([id, gs]) => gs.filter((g) => !pairs.has(`${id} ${g}`)));
        state =
          `${positions.length} dead letters written (${deadLetters} expected, more if redelivered), ` +
          `${rows.length} recorded, ${missing.length} unrecorded, ${uncovered.length} poison/group pairs ` +
          `not recorded; recorder groups ${JSON.stringify([...committed.keys()])}; ` +
          `lagging ${JSON.stringify(lagging)}`;
        const settled = missing.length === 0 && uncovered.length === 0 && lagging.length === 0;
        return settled ? { end, rows, positions, recorded } : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, progress: () => state },
    );
    t.diagnostic(`${at()}: ${state}`);

    for (const [topic, partitions] of done.end)
      partitions.forEach((e, p) => assert.ok(e > 0n, `${topic}:${p} got no dead letter; the test misses it`));
    // Each position once (the table's unique key), none that is not in a .dlt topic.
    assert.deepEqual(done.recorded.sort(), done.positions.sort(), 'recorded positions = .dlt positions');
    // At least once: a poison handled just before a rebalance is dead-lettered again by the next
    // owner of its partition; each copy is recorded, and no other record shows up.
    const groupsOf = new Map<string, Set<string>>();
    for (const r of done.rows) {
      assert.equal(r.error_class, 'SchemaError');
      const id = r.event_id ?? '';
      groupsOf.set(id, (groupsOf.get(id) ?? new Set()).add(r.consumer_group ?? ''));
    }
    assert.deepEqual(
      [...groupsOf].map(([id, gs]) => [id, [...gs].sort()]).sort(),
      [...expected].map(([id, gs]) => [id, [...gs].sort()]).sort(),
      'dead letters per poison record and group',
    );
  });
});
