// P5 (docs/benchmarks.md), outbox relay: (a) the raw ceiling — our Kafka publisher publishing pre-built messages
// in relay-sized batches; (b) the relay draining as many pre-inserted rows; (a) and (b) alternate
// for --rounds rounds so load from other processes hits both alike, and the medians are compared;
// (c) events inserted at a steady rate, one transaction each, while the relay runs:
// created→published latency and the oldest-unsent age sampled every 50 ms.
// Run: `source scripts/lib/node.sh && node packages/messaging/bench/outbox-relay.bench.ts`
// Options: --n=30000 --rounds=3 --rate=1000 --seconds=20 (needs local MariaDB and Kafka, ADR 0002).
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { Registry } from 'prom-client';
import { v7 as uuidv7 } from 'uuid';
import { createKafkaPublisher } from '../src/kafka/kafka-publisher.ts';
import type { Message } from '../src/message.ts';
import type { Publisher } from '../src/ports.ts';
import { createOutboxRelay } from '../src/outbox/outbox-relay.ts';
import { createOutbox } from '../src/outbox/outbox.ts';
import {
  TEST_BROKERS,
  createTestDatabase,
  createTestTopic,
  deleteTestTopics,
  metricValue,
  newOutboxTable,
  uniqueName,
  until,
  type TestDb,
} from '../src/outbox/outbox-test-env.ts';
import { sleep } from '@surge/resilience';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string' },
    rounds: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
  },
});
const N = Number(args.n ?? 30_000);
const ROUNDS = Number(args.rounds ?? 3);
const RATE = Number(args.rate ?? 1000);
const SECONDS = Number(args.seconds ?? 20);
const BATCH = 500; // the relay's default batch size
const MAX_IN_FLIGHT_INSERTS = 200; // open-loop load generator, but bounded

/** An `order.placed`-sized event (~400 bytes on the wire). */
function benchMessage(i: number): Message {
  const orderId = uuidv7();
  return {
    id: uuidv7(),
    type: 'surge.order.placed.v1',
    source: '/surge/shop',
    time: new Date().toISOString(),
    subject: `order/${orderId}`,
    key: orderId,
    data: { orderId, userId: uuidv7(), saleId: uuidv7(), quantity: 1 + (i % 2), priceCents: 1999, seq: i },
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN);
const ms = (v: number) => `${v.toFixed(0)} ms`;

async function rawCeiling(publisher: Publisher, topic: string, messages: Message[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < messages.length; i += BATCH)
    await publisher.publish(topic, messages.slice(i, i + BATCH));
  return messages.length / ((performance.now() - started) / 1000);
}

/** Fills a fresh outbox table with N unsent rows (not timed). */
async function prefill(db: Kysely<TestDb>, topic: string): Promise<string> {
  const table = await newOutboxTable(db);
  const outbox = createOutbox({ table });
  for (let i = 0; i < N; i += 1000) {
    const chunk = Array.from({ length: Math.min(1000, N - i) }, (_, j) => benchMessage(i + j));
    await db.transaction().execute((trx) => outbox.add(trx, topic, chunk));
  }
  return table;
}

async function relayDrain(db: Kysely<TestDb>, publisher: Publisher, table: string): Promise<number> {
  const registry = new Registry();
  const relay = createOutboxRelay({
    db,
    publisher,
    table,
    lock: { name: uniqueName('bench') },
    metrics: registry,
  });
  const started = performance.now();
  relay.start();
  await until(
    async () => (await metricValue(registry, 'surge_outbox_published_total', table)) >= N,
    120_000,
    'drain',
  );
  const seconds = (performance.now() - started) / 1000;
  await relay.close();
  return N / seconds;
}

async function steadyLoad(db: Kysely<TestDb>, publisher: Publisher, topic: string) {
  const table = await newOutboxTable(db);
  const outbox = createOutbox({ table });
  const t = sql.table(table);
  // No notifier: the relay runs in the worker process, apart from the API that inserts (docs/architecture.md).
  const relay = createOutboxRelay({ db, publisher, table, lock: { name: uniqueName('bench') } });
  relay.start();
  await until(() => relay.active, 10_000, 'the relay to become active');
  const ages: number[] = [];
  const sampler = setInterval(() => {
    sql<{ us: number | null }>`
      SELECT TIMESTAMPDIFF(MICROSECOND, created_at, NOW(3)) AS us FROM ${t}
      WHERE sent_at IS NULL ORDER BY seq LIMIT 1`
      .execute(db)
      .then((r) => ages.push(Number(r.rows[0]?.us ?? 0) / 1000))
      .catch(() => {});
  }, 50);
  const total = RATE * SECONDS;
  let issued = 0;
  let inFlight = 0;
  let failed = 0;
  const started = performance.now();
  while (issued < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    while (issued < due && inFlight < MAX_IN_FLIGHT_INSERTS) {
      const m = benchMessage(issued++);
      inFlight++;
      db.transaction()
        .execute((trx) => outbox.add(trx, topic, m))
        .catch(() => failed++)
        .finally(() => inFlight--);
    }
    await sleep(5);
  }
  await until(() => inFlight === 0, 30_000, 'inserts to finish');
  const insertSeconds = (performance.now() - started) / 1000;
  await until(
    async () => (await sql`SELECT 1 FROM ${t} WHERE sent_at IS NULL LIMIT 1`.execute(db)).rows.length === 0,
    30_000,
    'the relay to drain',
  );
  clearInterval(sampler);
  await relay.close();
  const latency = await sql<{ us: number }>`
    SELECT TIMESTAMPDIFF(MICROSECOND, created_at, sent_at) AS us FROM ${t}`.execute(db);
  const lat = latency.rows.map((r) => Number(r.us) / 1000).sort((a, b) => a - b);
  ages.sort((a, b) => a - b);
  return { rate: (total - failed) / insertSeconds, failed, lat, ages };
}

async function main() {
  const env = await createTestDatabase('surge_outbox_bench', 24);
  const publisher = createKafkaPublisher({ brokers: TEST_BROKERS, clientId: 'outbox-bench' });
  try {
    const [rawTopic, drainTopic, liveTopic] = await Promise.all([
      createTestTopic(),
      createTestTopic(),
      createTestTopic(),
    ]);
    for (const topic of [rawTopic, drainTopic, liveTopic]) {
      await publisher.publish(topic, [benchMessage(0)]); // metadata and connections
    }
    const rawMessages = Array.from({ length: N }, (_, i) => benchMessage(i));
    await rawCeiling(publisher, rawTopic, rawMessages.slice(0, 5000)); // warm-up (JIT)
    const tables = [];
    for (let r = 0; r < ROUNDS; r++) tables.push(await prefill(env.db, drainTopic));
    const raws: number[] = [];
    const relays: number[] = [];
    for (const table of tables) {
      raws.push(await rawCeiling(publisher, rawTopic, rawMessages));
      relays.push(await relayDrain(env.db, publisher, table));
      const [raw, relay] = [raws.at(-1) ?? 0, relays.at(-1) ?? 0];
      console.log(
        `P5 round ${raws.length}: raw publisher ${raw.toFixed(0)} msg/s, relay drain ${relay.toFixed(0)} msg/s (${N} messages, batches of ${BATCH}) → ${(relay / raw).toFixed(2)}`,
      );
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const [raw, relay] = [median(raws), median(relays)];
    const ratio = relay / raw;
    console.log(
      `P5 relay ${relay.toFixed(0)} msg/s vs raw ${raw.toFixed(0)} msg/s (medians of ${ROUNDS}) → ratio ${ratio.toFixed(2)} (target ≥ 0.5) ${ratio >= 0.5 ? 'PASS' : 'FAIL'}`,
    );
    const live = await steadyLoad(env.db, publisher, liveTopic);
    const p = (xs: number[]) =>
      `p50 ${ms(percentile(xs, 50))}, p99 ${ms(percentile(xs, 99))}, max ${ms(xs.at(-1) ?? NaN)}`;
    console.log(
      `P5 steady load: ${RATE * SECONDS} events at ${RATE}/s for ${SECONDS} s (achieved ${live.rate.toFixed(0)}/s, ${live.failed} failed inserts)`,
    );
    console.log(`P5 created→published latency (${live.lat.length} events): ${p(live.lat)}`);
    console.log(
      `P5 oldest-unsent age (${live.ages.length} samples every 50 ms): ${p(live.ages)} (target p99 < 1 s) ${percentile(live.ages, 99) < 1000 ? 'PASS' : 'FAIL'}`,
    );
  } finally {
    await publisher.close();
    await Promise.all([env.drop(), deleteTestTopics()]);
  }
}

await main();
