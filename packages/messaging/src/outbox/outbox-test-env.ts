import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { Admin, Consumer, stringDeserializers } from '@platformatic/kafka';
import { Kysely, MysqlDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import { createConnection } from 'mysql2/promise';
import { provisionTopics } from '../kafka/provision-topics.ts';
import type { Message } from '../message.ts';
import { createOutboxTable, type OutboxTable } from './outbox-table.ts';
import { sleep } from '@surge/resilience';

/** Local services of the integration tests (ADR 0002). */
export const TEST_BROKERS = ['127.0.0.1:9092'];
const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root', connectTimeout: 5000 };

/** Tests give each case its own outbox table (`newOutboxTable`), so the schema is open-ended. */
export type TestDb = Record<string, OutboxTable>;

export const uniqueName = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

/**
 * A throwaway database (`<prefix>_<random>`) on its own pool of `connectionLimit` connections;
 * `drop` removes both.
 */
export async function createTestDatabase(
  prefix = 'surge_outbox_test',
  connectionLimit = 8,
): Promise<{ db: Kysely<TestDb>; drop(): Promise<void> }> {
  const name = uniqueName(prefix);
  const admin = await createConnection(MYSQL);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const pool = createPool({ ...MYSQL, database: name, connectionLimit, timezone: 'Z' });
  const db = new Kysely<TestDb>({ dialect: new MysqlDialect({ pool }) });
  return {
    db,
    async drop() {
      await db.destroy();
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}

/** Creates an outbox table with a unique name, so cases never see each other's rows. */
export async function newOutboxTable(db: Kysely<TestDb>): Promise<string> {
  const table = uniqueName('outbox');
  await createOutboxTable(db, table);
  return table;
}

const createdTopics = new Set<string>();

/** Creates a topic with a unique name (no dead-letter topic) and returns the name. */
export async function createTestTopic(partitions = 3): Promise<string> {
  const topic = `surge.test.outbox.${randomUUID()}`;
  await provisionTopics({ brokers: TEST_BROKERS, clientId: 'outbox-test' }, [
    { name: topic, partitions, withDeadLetter: false },
  ]);
  createdTopics.add(topic);
  return topic;
}

/** Deletes the topics `createTestTopic` made in this process, so runs do not pile topics up. */
export async function deleteTestTopics(): Promise<void> {
  if (createdTopics.size === 0) return;
  const admin = new Admin({ clientId: 'outbox-test-admin', bootstrapBrokers: TEST_BROKERS, timeout: 10_000 });
  try {
    await admin.deleteTopics({ topics: [...createdTopics] });
    createdTopics.clear();
  } finally {
    await admin.close();
  }
}

export interface Received {
  key: string;
  value: string;
  headers: Record<string, string>;
  partition: number;
}

/** Reads a topic from the beginning with a raw consumer in a fresh group, collecting every record. */
export async function startReader(topic: string) {
  const consumer = new Consumer({
    clientId: 'outbox-test-reader',
    bootstrapBrokers: TEST_BROKERS,
    groupId: uniqueName('outbox-test'),
    deserializers: stringDeserializers,
    autocommit: false,
    maxWaitTime: 100,
  });
  const stream = await consumer.consume({
    topics: [topic],
    mode: 'earliest',
    autocommit: false,
    maxWaitTime: 100,
  });
  const records: Received[] = [];
  stream.on('data', (m) => {
    records.push({
      key: m.key ?? '',
      value: m.value ?? '',
      headers: Object.fromEntries(m.headers),
      partition: m.partition,
    });
  });
  return {
    records,
    /** Resolves once at least `n` records arrived; rejects after `timeoutMs`. */
    async waitFor(n: number, timeoutMs = 15_000): Promise<Received[]> {
      await until(() => records.length >= n, timeoutMs, `${n} records on ${topic} (got ${records.length})`);
      return records;
    },
    async close() {
      await stream.close();
      await consumer.close();
    },
  };
}

/** Polls `check` every 20 ms until it holds; rejects with `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export async function unsentCount(db: Kysely<TestDb>, table: string): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT COUNT(*) AS n FROM ${sql.table(table)} WHERE sent_at IS NULL`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** A test message; `n` goes into `data` so order can be checked. */
export function testMessage(key: string, n: number): Message {
  return {
    id: uuidv7(),
    type: 'surge.test.outboxed.v1',
    source: '/surge/test',
    time: new Date().toISOString(),
    subject: `thing/${key}`,
    key,
    data: { key, n },
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  };
}

/** Relay settings that make the integration tests fast: short polls, retries and backoffs. */
export const FAST = {
  pollIntervalMs: 20,
  statsIntervalMs: 50,
  backoff: { baseMs: 20, maxMs: 200 },
} as const;

/** The value of a relay metric for `table`, summed over its other labels (0 when never set). */
export async function metricValue(
  registry: { getSingleMetric(name: string): { get(): unknown } | undefined },
  name: string,
  table: string,
): Promise<number> {
  const metric = (await registry.getSingleMetric(name)?.get()) as
    { values: Array<{ value: number; labels: Record<string, string | number> }> } | undefined;
  return (metric?.values ?? []).filter((v) => v.labels.table === table).reduce((sum, v) => sum + v.value, 0);
}
