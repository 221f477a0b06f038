import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { createKafkaPublisher } from '../kafka/kafka-publisher.ts';
import type { Publisher } from '../ports.ts';
import { withNamedLock } from './mysql-named-lock.ts';
import { createOutboxRelay, type OutboxRelay } from './outbox-relay.ts';
import { createOutbox } from './outbox.ts';
import {
  FAST,
  TEST_BROKERS,
  createTestDatabase,
  createTestTopic,
  deleteTestTopics,
  newOutboxTable,
  startReader,
  testMessage,
  uniqueName,
  unsentCount,
  until,
  type TestDb,
} from './outbox-test-env.ts';

describe('outbox relay: one active instance, cleanup (real MariaDB and Kafka)', () => {
  let env: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Kysely<TestDb>;
  let publisher: Publisher;
  before(async () => {
    env = await createTestDatabase();
    db = env.db;
    publisher = createKafkaPublisher({ brokers: TEST_BROKERS, clientId: 'outbox-lock-test' });
  });
  after(async () => {
    await publisher.close();
    await Promise.all([env.drop(), deleteTestTopics()]);
  });

  it('runs one active relay per lock; another takes over when it closes or its connection dies', async () => {
    const [table, topic] = await Promise.all([newOutboxTable(db), createTestTopic()]);
    const outbox = createOutbox({ table });
    const reader = await startReader(topic);
    const lock = { name: uniqueName('outbox_lock_test'), retryMs: 100 };
    const relays = [0, 1, 2].map(() =>
      createOutboxRelay({ db, publisher, table, lock, notifier: outbox, ...FAST }),
    );
    const activeOnes = () => relays.filter((r) => r.active);
    let n = 0;
    const addAndExpect = async (count: number) => {
      for (let i = 0; i < count; i++) {
        await db.transaction().execute((trx) => outbox.add(trx, topic, testMessage('k', n++)));
      }
      outbox.notify();
      await reader.waitFor(n);
    };
    try {
      for (const r of relays) r.start();
      await until(() => activeOnes().length === 1, 5000, 'one active relay');
      await new Promise((r) => setTimeout(r, 400)); // standbys retried several times meanwhile
      assert.equal(activeOnes().length, 1);
      await addAndExpect(20);

      const first = activeOnes()[0] as OutboxRelay;
      await first.close();
      await until(() => activeOnes().length === 1 && !first.active, 5000, 'a standby to take over');
      await addAndExpect(20);

      // As if the active process died: the server closes its connection, and with it the lock.
      // Any relay may take over, the one that lost its connection included (it reconnects).
      const holder = async () =>
        Number(
          (await sql<{ id: number | null }>`SELECT IS_USED_LOCK(${lock.name}) AS id`.execute(db)).rows[0]?.id,
        );
      const killed = await holder();
      await sql`KILL CONNECTION ${sql.raw(String(killed))}`.execute(db);
      await until(
        async () => activeOnes().length === 1 && ![killed, 0].includes(await holder()),
        5000,
        'a relay on a new connection to take over',
      );
      await addAndExpect(20);

      // The relay marks a batch sent after Kafka acknowledged it, so the reader can see the last
      // records a moment before their rows are marked (seen in CI: 4 rows still unsent).
      await until(async () => (await unsentCount(db, table)) === 0, 5000, 'every row marked sent');
      const ids = reader.records.map((r) => r.headers.ce_id);
      assert.equal(new Set(ids).size, 60, 'every event arrived');
    } finally {
      await Promise.all(relays.map((r) => r.close()));
      await reader.close();
    }
  });

  it('a holder that goes silent (its host vanished) loses the lock after idleTimeoutSec', async () => {
    const name = uniqueName('outbox_idle_test');
    let takenOver: boolean | undefined;
    const silent = withNamedLock(db, name, { timeoutMs: 5000, idleTimeoutSec: 1 }, async (conn) => {
      await new Promise((r) => setTimeout(r, 2500)); // no query for longer than idleTimeoutSec
      takenOver = await withNamedLock(db, name, { timeoutMs: 5000, idleTimeoutSec: 30 }, () =>
        Promise.resolve(),
      );
      await sql`SELECT 1`.execute(conn); // the server has closed the silent holder's connection
    });
    await assert.rejects(silent);
    assert.equal(takenOver, true);
  });

  it('cleanup deletes only rows sent longer ago than retentionMs, in bounded steps', async () => {
    const [table, topic] = await Promise.all([newOutboxTable(db), createTestTopic()]);
    const outbox = createOutbox({ table });
    const t = sql.table(table);
    const old = Array.from({ length: 2500 }, (_, i) => testMessage('old', i));
    const recent = [testMessage('recent', 1), testMessage('recent', 2)];
    const unsent = [testMessage('unsent', 1), testMessage('unsent', 2)];
    await db.transaction().execute((trx) => outbox.add(trx, topic, [...old, ...recent]));
    await sql`UPDATE ${t} SET sent_at = NOW(3) - INTERVAL 2 DAY WHERE msg_key = 'old'`.execute(db);
    await sql`UPDATE ${t} SET sent_at = NOW(3) - INTERVAL 1 MINUTE WHERE msg_key = 'recent'`.execute(db);
    await db.transaction().execute((trx) => outbox.add(trx, topic, unsent));
    const relay = createOutboxRelay({
      db,
      publisher,
      table,
      lock: { name: uniqueName('outbox_cleanup_test') },
      retentionMs: 3600_000,
      cleanupIntervalMs: 50,
      ...FAST,
    });
    relay.start();
    try {
      const count = async (where: string) =>
        Number(
          (await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${t} WHERE ${sql.raw(where)}`.execute(db))
            .rows[0]?.n,
        );
      await until(async () => (await count("msg_key = 'old'")) === 0, 10_000, 'old sent rows to be deleted');
      await until(async () => (await unsentCount(db, table)) === 0, 5000, 'the unsent rows to be relayed');
      const left = await sql<{ id: string }>`SELECT id FROM ${t} ORDER BY seq`.execute(db);
      assert.deepEqual(
        left.rows.map((r) => r.id),
        [...recent, ...unsent].map((m) => m.id),
      );
    } finally {
      await relay.close();
    }
  });
});
