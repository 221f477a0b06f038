import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely, type KyselyPlugin } from 'kysely';
import { Registry } from 'prom-client';
import { createKafkaPublisher } from '../kafka/kafka-publisher.ts';
import type { Publisher } from '../ports.ts';
import { createOutboxRelay } from './outbox-relay.ts';
import { createOutbox } from './outbox.ts';
import {
  FAST,
  createTestDatabase,
  createTestTopic,
  deleteTestTopics,
  metricValue,
  newOutboxTable,
  startReader,
  testMessage,
  uniqueName,
  unsentCount,
  until,
  type TestDb,
} from './outbox-test-env.ts';

describe('transactional outbox on MySQL → Kafka (real MariaDB and Kafka)', () => {
  let env: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Kysely<TestDb>;
  let publisher: Publisher;
  before(async () => {
    env = await createTestDatabase();
    db = env.db;
    publisher = createKafkaPublisher({ brokers: ['127.0.0.1:9092'], clientId: 'outbox-test' });
  });
  after(async () => {
    await publisher.close();
    await Promise.all([env.drop(), deleteTestTopics()]);
  });

  /** A fresh table, topic, reader and (not started) relay for one case. */
  async function setup(relayOpts: { publisher?: Publisher; metrics?: Registry; batchSize?: number } = {}) {
    const [table, topic] = await Promise.all([newOutboxTable(db), createTestTopic()]);
    const outbox = createOutbox({ table });
    const reader = await startReader(topic);
    const relay = createOutboxRelay({
      db,
      publisher,
      table,
      lock: { name: uniqueName('outbox_test'), retryMs: 200 },
      notifier: outbox,
      ...FAST,
      ...relayOpts,
    });
    return { table, topic, outbox, reader, relay };
  }

  it('relays a message added in a committed transaction, with every CloudEvents header and the data', async () => {
    const { table, topic, outbox, reader, relay } = await setup();
    const m = testMessage('user-1', 1);
    await db.transaction().execute((trx) => outbox.add(trx, topic, m));
    outbox.notify();
    relay.start();
    try {
      const [r] = await reader.waitFor(1);
      assert.equal(r?.key, 'user-1');
      assert.deepEqual(JSON.parse(r?.value ?? ''), m.data);
      assert.deepEqual(r?.headers, {
        ce_specversion: '1.0',
        ce_id: m.id,
        ce_type: m.type,
        ce_source: m.source,
        ce_time: m.time,
        ce_subject: m.subject,
        'content-type': 'application/json',
        traceparent: m.headers.traceparent,
      });
      await until(async () => (await unsentCount(db, table)) === 0, 5000, 'the row to be marked sent');
    } finally {
      await relay.close();
      await reader.close();
    }
  });

  it('refuses to add outside a transaction (the write and the event would not be atomic)', async () => {
    const { topic, outbox, reader } = await setup();
    await reader.close();
    await assert.rejects(outbox.add(db, topic, testMessage('k', 1)), /transaction/);
  });

  it('never publishes a message whose transaction rolled back', async () => {
    const { table, topic, outbox, reader, relay } = await setup();
    const doomed = testMessage('k', 1);
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await outbox.add(trx, topic, doomed);
        throw new Error('business rule failed');
      }),
      /business rule failed/,
    );
    const marker = testMessage('k', 2);
    await db.transaction().execute((trx) => outbox.add(trx, topic, marker));
    relay.start();
    try {
      // Relayed in seq order: once the later marker is out, the doomed row would have been too.
      const records = await reader.waitFor(1);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(
        records.map((r) => r.headers.ce_id),
        [marker.id],
      );
      const rows = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db);
      assert.equal(Number(rows.rows[0]?.n), 1);
    } finally {
      await relay.close();
      await reader.close();
    }
  });

  it('keeps per-key order for 1,000 events across 10 keys, relayed in batches', async () => {
    const { topic, outbox, reader, relay } = await setup({ batchSize: 64 });
    relay.start();
    try {
      const keys = Array.from({ length: 10 }, (_, i) => `order-${i}`);
      for (let t = 0; t < 50; t++) {
        // 20 events per transaction, keys interleaved; relaying runs while later ones commit.
        const batch = Array.from({ length: 20 }, (_, i) =>
          testMessage(keys[i % 10] ?? '', t * 2 + (i >= 10 ? 1 : 0)),
        );
        await db.transaction().execute((trx) => outbox.add(trx, topic, batch));
        outbox.notify();
      }
      const records = await reader.waitFor(1000, 30_000);
      const seen = new Map<string, { last: number; partition: number }>();
      for (const r of records) {
        const { n } = JSON.parse(r.value) as { n: number };
        const prev = seen.get(r.key);
        if (prev) {
          assert.equal(r.partition, prev.partition, `key ${r.key} moved partitions`);
          assert.ok(n > prev.last, `key ${r.key}: ${n} arrived after ${prev.last}`);
        }
        seen.set(r.key, { last: n, partition: r.partition });
      }
      assert.equal(seen.size, 10);
      assert.equal(new Set(records.map((r) => r.headers.ce_id)).size, 1000);
    } finally {
      await relay.close();
      await reader.close();
    }
  });

  it('publishes a row again when the relay crashes between publish and mark (at least once, never lost)', async () => {
    const { table, topic, outbox, reader, relay } = await setup();
    // The mark step fails as if the process died right after the broker's ack.
    const crashBeforeMark: KyselyPlugin = {
      transformQuery(args) {
        const node = args.node as { kind: string; sqlFragments?: readonly string[] };
        if (node.kind === 'RawNode' && node.sqlFragments?.join('?').includes('SET sent_at')) {
          throw new Error('injected crash between publish and mark');
        }
        return args.node;
      },
      transformResult: (args) => Promise.resolve(args.result),
    };
    const crashing = createOutboxRelay({
      db: db.withPlugin(crashBeforeMark),
      publisher,
      table,
      lock: { name: uniqueName('outbox_crash'), retryMs: 200 },
      ...FAST,
    });
    const m = testMessage('k', 1);
    await db.transaction().execute((trx) => outbox.add(trx, topic, m));
    crashing.start();
    try {
      await reader.waitFor(1);
    } finally {
      await crashing.close();
    }
    assert.equal(await unsentCount(db, table), 1, 'the row is still unsent after the crash');
    relay.start();
    try {
      await until(async () => (await unsentCount(db, table)) === 0, 10_000, 'the recovered relay to mark it');
      const records = await reader.waitFor(2);
      assert.ok(records.every((r) => r.headers.ce_id === m.id));
    } finally {
      await relay.close();
      await reader.close();
    }
  });

  it('keeps rows while Kafka is unreachable (backlog grows, nothing lost), then relays them all', async () => {
    const registry = new Registry();
    const dead = createKafkaPublisher({ brokers: ['127.0.0.1:1'], clientId: 'outbox-dead', timeoutMs: 1000 });
    const { table, topic, outbox, reader, relay } = await setup({ metrics: registry });
    const stuck = createOutboxRelay({
      db,
      publisher: dead,
      table,
      lock: { name: uniqueName('outbox_dead'), retryMs: 200 },
      metrics: registry,
      ...FAST,
    });
    const add = (n: number) =>
      db.transaction().execute((trx) => outbox.add(trx, topic, testMessage(`k${n % 3}`, n)));
    for (let n = 0; n < 5; n++) await add(n);
    stuck.start();
    try {
      const errors = () => metricValue(registry, 'surge_outbox_publish_errors_total', table);
      const backlog = () => metricValue(registry, 'surge_outbox_backlog', table);
      await until(async () => (await errors()) >= 1, 10_000, 'a failed publish');
      await until(async () => (await backlog()) === 5, 5000, 'backlog 5');
      for (let n = 5; n < 10; n++) await add(n);
      await until(async () => (await backlog()) === 10, 5000, 'backlog 10');
      assert.ok((await metricValue(registry, 'surge_outbox_oldest_unsent_age_seconds', table)) > 0);
      assert.equal(await unsentCount(db, table), 10);
    } finally {
      await stuck.close();
      await dead.close();
    }
    relay.start();
    try {
      const records = await reader.waitFor(10);
      assert.deepEqual(
        records.map((r) => (JSON.parse(r.value) as { n: number }).n).sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
      await until(async () => (await unsentCount(db, table)) === 0, 5000, 'all marked sent');
      await until(
        async () => (await metricValue(registry, 'surge_outbox_backlog', table)) === 0,
        5000,
        'backlog 0',
      );
    } finally {
      await relay.close();
      await reader.close();
    }
  });
});
