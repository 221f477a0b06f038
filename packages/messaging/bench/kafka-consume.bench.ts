/**
 * P4 consume (SPEC §12): `createKafkaSubscriber` vs a raw `@platformatic/kafka` MessagesStream
 * consumer. Target: ours ≥ 0.8 × raw with the same delivery guarantees.
 *
 * A topic with 3 partitions is filled once with N CloudEvents records; each run reads all of them
 * with a fresh consumer group (committed mode, falling back to earliest) and is timed from
 * subscribe to the N-th handler resolved. Every side has the same consumer settings, a trivial
 * async handler, per-partition in-order processing (partitions run concurrently) and the same
 * bound of 1,000 buffered records (pause at 1,000, resume under 500). The commit policy is
 * at-least-once, one `message.commit()` per record issued after its handler resolved:
 *
 * - raw, pipelined: the commit is requested but not awaited before the partition's next record
 *   (the client coalesces concurrent commits into one in-flight OffsetCommit, offsets only move
 *   forward) — exactly what `createKafkaSubscriber` does. This is the P4 ceiling (same commit
 *   policy).
 * - raw, awaited: the next record of the partition starts after the commit is acknowledged — the
 *   subscriber's earlier policy. Same guarantee, shown for reference: the gap to it is the cost of
 *   awaiting each commit (one OffsetCommit round trip per record and partition).
 *
 * Ours also decodes every record (CloudEvents headers, JSON value); the raw handlers do not.
 *
 *   node packages/messaging/bench/kafka-consume.bench.ts
 *
 * Env: KAFKA_BROKERS (127.0.0.1:9092), BENCH_MESSAGES (20000), BENCH_ROUNDS per side (3),
 * BENCH_WARMUP messages per side (2000).
 */
import {
  Admin,
  Consumer,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { encodeMessage } from '../src/cloudevents.ts';
import { createKafkaSubscriber } from '../src/kafka/kafka-subscriber.ts';
import { provisionTopics } from '../src/kafka/provision-topics.ts';
import {
  chunk,
  cleanUp,
  envInt,
  envString,
  fmt,
  makeMessages,
  printTable,
  runConcurrent,
  runId,
} from './bench-kit.ts';

const brokers = envString('KAFKA_BROKERS', '127.0.0.1:9092').split(',');
const total = envInt('BENCH_MESSAGES', 20_000);
const rounds = envInt('BENCH_ROUNDS', 3);
const warmupMessages = Math.min(total, envInt('BENCH_WARMUP', 2000));
const maxBuffered = 1000;
const target = 0.8;

const id = runId();
const topic = `bench.p4-consume.${id}`;
const groups: string[] = [];
let sink = 0;

type Side = 'raw-awaited' | 'raw-pipelined' | 'ours';

/** Sum of the group's committed offsets on the topic: N once every record was committed. */
async function committedCount(admin: Admin, group: string): Promise<bigint> {
  const [result] = await admin.listConsumerGroupOffsets({ groups: [group] });
  const partitions = result?.topics.find((t) => t.name === topic)?.partitions ?? [];
  return partitions.reduce((sum, p) => sum + (p.committedOffset > 0n ? p.committedOffset : 0n), 0n);
}

/** Fresh group per run: every run reads the whole topic from the start. */
function freshGroup(side: string): string {
  const group = `bench-p4-consume-${id}-${side}-${groups.length}`;
  groups.push(group);
  return group;
}

async function fill(): Promise<void> {
  const producer = new Producer({
    clientId: `bench-fill-${id}`,
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    serializers: stringSerializers,
    autocreateTopics: false,
  });
  try {
    const batches = chunk(makeMessages(total), 500).map((b) =>
      b.map((m) => ({ topic, ...encodeMessage(m) })),
    );
    await runConcurrent(batches, 8, async (messages) => {
      await producer.send({ messages });
    });
  } finally {
    await producer.close();
  }
}

/** Raw client, configured as `createKafkaSubscriber` configures its consumer. */
async function consumeRaw(policy: 'awaited' | 'pipelined', count: number): Promise<number> {
  const consumer = new Consumer({
    clientId: `bench-raw-${id}`,
    bootstrapBrokers: brokers,
    groupId: freshGroup(`raw-${policy}`),
    autocommit: false,
    deserializers: stringDeserializers,
    sessionTimeout: 10_000,
    heartbeatInterval: 2500,
    rebalanceTimeout: 30_000,
    maxWaitTime: 500,
    retries: Number.MAX_SAFE_INTEGER,
    retryDelay: 500,
  });
  const done = Promise.withResolvers<void>();
  let handled = 0;
  let buffered = 0;
  let commitErrors = 0;
  const tails = new Map<number, Promise<void>>();
  const started = performance.now();
  const stream = await consumer.consume({
    topics: [topic],
    mode: 'committed',
    fallbackMode: 'earliest',
    autocommit: false,
    maxWaitTime: 500,
  });
  stream.on('data', (record) => {
    if (++buffered >= maxBuffered) stream.pause();
    const previous = tails.get(record.partition) ?? Promise.resolve();
    const next = previous.then(async () => {
      await trivialHandler(record.value ?? '');
      if (++handled === count) done.resolve();
      // Without a callback, commit() returns a promise (the void in its type is the callback overload).
      const committed = Promise.resolve(record.commit()).catch(() => void commitErrors++);
      if (policy === 'awaited') await committed;
      if (--buffered < maxBuffered / 2 && stream.isPaused()) stream.resume();
    });
    tails.set(record.partition, next);
  });
  stream.on('error', (err) => done.reject(err));
  await done.promise;
  const ms = performance.now() - started;
  await stream.close();
  await consumer.close();
  if (commitErrors > 0) console.error(`raw-${policy}: ${commitErrors} commit errors`);
  return ms;
}

async function consumeOurs(count: number): Promise<number> {
  const subscriber = createKafkaSubscriber({
    brokers,
    clientId: `bench-ours-${id}`,
    maxBuffered,
    onError: (err, context) => console.error(`ours: ${context}: ${String(err)}`),
  });
  const done = Promise.withResolvers<void>();
  let handled = 0;
  const started = performance.now();
  await subscriber.subscribe({
    topic,
    group: freshGroup('ours'),
    handler: async (delivery) => {
      await trivialHandler(delivery.offset);
      if (++handled === count) done.resolve();
    },
  });
  await done.promise;
  const ms = performance.now() - started;
  await subscriber.close();
  return ms;
}

/** The handler's work on both sides: an await and a read, so the cost measured is the transport's. */
async function trivialHandler(value: string): Promise<void> {
  await Promise.resolve();
  sink += value.length;
}

const run: Record<Side, (count: number) => Promise<number>> = {
  'raw-awaited': (count) => consumeRaw('awaited', count),
  'raw-pipelined': (count) => consumeRaw('pipelined', count),
  ours: consumeOurs,
};

async function main() {
  await provisionTopics({ brokers, clientId: 'bench' }, [
    { name: topic, partitions: 3, withDeadLetter: false },
  ]);
  const admin = new Admin({ clientId: `bench-admin-${id}`, bootstrapBrokers: brokers });
  try {
    await fill();
    const sides: Side[] = ['raw-pipelined', 'ours', 'raw-awaited'];
    for (const side of sides) await run[side](warmupMessages);

    const totals: Record<Side, number> = { 'raw-awaited': 0, 'raw-pipelined': 0, ours: 0 };
    const rows: (string | number)[][] = [['round', 'side', 'messages', 'ms', 'msgs/s', 'committed']];
    for (let round = 1; round <= rounds; round++) {
      for (const side of sides) {
        const ms = await run[side](total);
        totals[side] += ms;
        const committed = await committedCount(admin, groups.at(-1) as string);
        rows.push([round, side, total, fmt(ms), fmt((total / ms) * 1000), String(committed)]);
      }
    }
    const rate = (side: Side) => ((total * rounds) / totals[side]) * 1000;
    const ratio = rate('ours') / rate('raw-pipelined');
    console.log(
      `P4 consume: ${fmt(total)} messages (~300-byte JSON values, CloudEvents headers) on 3 partitions, ` +
        `fresh group per run, timed from subscribe to the last handler resolved, ` +
        `${rounds} rounds per side after ${fmt(warmupMessages)} warm-up messages each`,
    );
    console.log(
      'commit policy (all sides): at-least-once, one message.commit() per record after its handler ' +
        '(ceiling and ours: not awaited; raw-awaited: awaited); ' +
        'one record in flight per partition, partitions concurrent, <= 1000 records buffered',
    );
    printTable(rows);
    console.log(
      `ceiling (raw, commit requested, not awaited before the next record): ${fmt(rate('raw-pipelined'))} msgs/s`,
    );
    console.log(`result (createKafkaSubscriber): ${fmt(rate('ours'))} msgs/s`);
    console.log(
      `ratio ours/raw (same commit policy): ${ratio.toFixed(3)} (target >= ${target}) ${ratio >= target ? 'PASS' : 'FAIL'}`,
    );
    console.log(
      `reference (raw, commit awaited before the next record — the earlier policy): ` +
        `${fmt(rate('raw-awaited'))} msgs/s; ours/that: ${(rate('ours') / rate('raw-awaited')).toFixed(3)}`,
    );
  } finally {
    await admin.close().catch(() => {});
    await cleanUp(brokers, { topics: [topic], groups });
  }
  if (sink < 0) console.log(sink);
}

await main();
