/**
 * P4 consume (docs/benchmarks.md): `createKafkaSubscriber` vs a raw `@platformatic/kafka` MessagesStream
 * consumer. Target: ours ≥ 0.8 × raw with the same delivery guarantees.
 *
 * A topic with 3 partitions is filled once with N CloudEvents records; each run reads all of them
 * with a fresh consumer group (committed mode, falling back to earliest) and is timed from
 * subscribe to the N-th handler resolved. Both sides: the consumer built by the subscriber's own
 * factory (same settings), a trivial async handler, per-partition in-order processing (partitions
 * run concurrently) and the same bound of 1,000 buffered records (pause at 1,000, resume under
 * 500). The commit policy is at-least-once, one `message.commit()` per record issued after its
 * handler resolved and not awaited before the partition's next record (the client coalesces
 * concurrent commits into one in-flight OffsetCommit, offsets only move forward) — exactly what
 * `createKafkaSubscriber` does. Ours also decodes every record (CloudEvents headers, JSON value);
 * the raw handler does not.
 *
 * Rounds alternate the sides and swap their order every round (raw, ours | ours, raw | …) so a
 * load change on the shared machine hits both; before each run the previous run's garbage is
 * collected and the broker gets 0.5 s. The figure is the median of the rounds' ratios. The CPU
 * time of this process per message is printed too: it moves far less with other jobs' load.
 * Once at the end, for reference, raw with each commit awaited before the partition's next record
 * (the subscriber's earlier policy): the gap is the cost of one OffsetCommit round trip per record.
 *
 *   node packages/messaging/bench/kafka-consume.bench.ts
 *
 * Env: KAFKA_BROKERS (127.0.0.1:9092), BENCH_MESSAGES per run (100000), BENCH_ROUNDS (9),
 * BENCH_WARMUP messages per side (20000), BENCH_AWAITED_MESSAGES for the reference run (10000),
 * BENCH_FETCH_MAX_BYTES for both sides (the subscriber's `maxFetchBytes` default, 1 MiB).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Admin, ProduceAcks, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { sleep } from '@surge/resilience';
import { encodeMessage } from '../src/cloudevents.ts';
import { consumeTopic, createGroupConsumer } from '../src/kafka/kafka-consumer.ts';
import { createKafkaSubscriber } from '../src/kafka/kafka-subscriber.ts';
import { kafkaSubscriberSettings } from '../src/kafka/kafka-subscriber-options.ts';
import { provisionTopics } from '../src/kafka/provision-topics.ts';
import {
  chunk,
  cleanUp,
  envInt,
  envString,
  fmt,
  makeMessages,
  median,
  printTable,
  runConcurrent,
  runId,
} from './bench-kit.ts';

const brokers = envString('KAFKA_BROKERS', '127.0.0.1:9092').split(',');
const total = envInt('BENCH_MESSAGES', 100_000);
const rounds = envInt('BENCH_ROUNDS', 9);
const warmupMessages = Math.min(total, envInt('BENCH_WARMUP', 20_000));
const awaitedMessages = Math.min(total, envInt('BENCH_AWAITED_MESSAGES', 10_000));
/** Both sides' fetch size; the subscriber's default unless set. */
const maxFetchBytes = process.env.BENCH_FETCH_MAX_BYTES ? envInt('BENCH_FETCH_MAX_BYTES', 1) : undefined;
/**
 * `BENCH_RAW_DESERIALIZERS=string`: the raw side decodes with the client's plain string
 * deserializers instead of the subscriber's binary-safe ones (`kafka-serde.ts`), so the ratio
 * includes what binary safety costs.
 */
const rawStringDeserializers = process.env.BENCH_RAW_DESERIALIZERS === 'string';
const maxBuffered = 1000;
const target = 0.8;

const id = runId();
const topic = `bench.p4-consume.${id}`;
const groups: string[] = [];
let sink = 0;

/** Sum of the group's committed offsets on the topic: N once every record was committed. */
async function committedCount(admin: Admin, group: string): Promise<bigint> {
  const [result] = await admin.listConsumerGroupOffsets({ groups: [group] });
  const partitions = result?.topics.find((t) => t.name === topic)?.partitions ?? [];
  return partitions.reduce((sum, p) => sum + (p.committedOffset > 0n ? p.committedOffset : 0n), 0n);
}

/** Wall and CPU time of this process (all threads) for one run: the CPU figure is far less sensitive to other jobs. */
interface Timing {
  ms: number;
  cpuMs: number;
}

function startTiming(): () => Timing {
  const started = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  };
}

// A run must not pay for the garbage of the run before it (the other side's, half the time).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Between runs: collect the previous run's garbage and let the broker finish its group work. */
async function settle(): Promise<void> {
  collectGarbage();
  await sleep(500);
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

/** Raw client, built by the subscriber's own consumer factory (same settings, same offsets). */
async function consumeRaw(policy: 'awaited' | 'pipelined', count: number): Promise<Timing> {
  const settings = kafkaSubscriberSettings({ brokers, clientId: `bench-raw-${id}`, maxFetchBytes });
  const consumer = createGroupConsumer(
    settings,
    freshGroup(`raw-${policy}`),
    undefined,
    rawStringDeserializers ? stringDeserializers : undefined,
  );
  const done = Promise.withResolvers<void>();
  let handled = 0;
  let buffered = 0;
  let commitErrors = 0;
  const countError = (err?: Error) => void (err && commitErrors++);
  const tails = new Map<number, Promise<void>>();
  const stop = startTiming();
  const stream = await consumeTopic(consumer, topic);
  stream.on('data', (record) => {
    if (++buffered >= maxBuffered) stream.pause();
    const previous = tails.get(record.partition) ?? Promise.resolve();
    const next = previous.then(async () => {
      await trivialHandler(typeof record.value === 'string' ? record.value : '');
      if (++handled === count) done.resolve();
      // Without a callback, commit() returns a promise (the void in its type is the callback overload).
      if (policy === 'awaited') await Promise.resolve(record.commit()).catch(countError);
      else void record.commit(countError);
      if (--buffered < maxBuffered / 2 && stream.isPaused()) stream.resume();
    });
    tails.set(record.partition, next);
  });
  stream.on('error', (err) => done.reject(err));
  await done.promise;
  const timing = stop();
  await stream.close();
  await consumer.close();
  if (commitErrors > 0) console.error(`raw-${policy}: ${commitErrors} commit errors`);
  return timing;
}

async function consumeOurs(count: number): Promise<Timing> {
  const subscriber = createKafkaSubscriber({
    brokers,
    clientId: `bench-ours-${id}`,
    maxBuffered,
    maxFetchBytes,
    onError: (err, context) => console.error(`ours: ${context}: ${String(err)}`),
  });
  const done = Promise.withResolvers<void>();
  let handled = 0;
  const stop = startTiming();
  await subscriber.subscribe({
    topic,
    group: freshGroup('ours'),
    handler: async (delivery) => {
      await trivialHandler(delivery.offset);
      if (++handled === count) done.resolve();
    },
  });
  await done.promise;
  const timing = stop();
  await subscriber.close();
  return timing;
}

/** The handler's work on both sides: an await and a read, so the cost measured is the transport's. */
async function trivialHandler(value: string): Promise<void> {
  await Promise.resolve();
  sink += value.length;
}

type Side = 'raw' | 'ours';
const run: Record<Side, (count: number) => Promise<Timing>> = {
  raw: (count) => consumeRaw('pipelined', count),
  ours: consumeOurs,
};

async function main() {
  await provisionTopics({ brokers, clientId: 'bench' }, [
    { name: topic, partitions: 3, withDeadLetter: false },
  ]);
  const admin = new Admin({ clientId: `bench-admin-${id}`, bootstrapBrokers: brokers });
  try {
    await fill();
    await run.raw(warmupMessages);
    await run.ours(warmupMessages);

    const rows: (string | number)[][] = [
      ['round', 'side', 'messages', 'ms', 'msgs/s', 'cpu µs/msg', 'committed'],
    ];
    const row = (round: number | string, side: string, count: number, t: Timing, committed: bigint) =>
      rows.push([
        round,
        side,
        count,
        fmt(t.ms),
        fmt((count / t.ms) * 1000),
        ((t.cpuMs * 1000) / count).toFixed(2),
        String(committed),
      ]);
    const rates: Record<Side, number[]> = { raw: [], ours: [] };
    const cpuPerMessage: Record<Side, number[]> = { raw: [], ours: [] };
    const ratios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const order: Side[] = round % 2 === 1 ? ['raw', 'ours'] : ['ours', 'raw'];
      for (const side of order) {
        await settle();
        const t = await run[side](total);
        rates[side].push((total / t.ms) * 1000);
        cpuPerMessage[side].push((t.cpuMs * 1000) / total);
        row(round, side, total, t, await committedCount(admin, groups.at(-1) as string));
      }
      ratios.push((rates.ours.at(-1) as number) / (rates.raw.at(-1) as number));
    }
    await settle();
    const awaited = await consumeRaw('awaited', awaitedMessages);
    row('ref', 'raw-awaited', awaitedMessages, awaited, await committedCount(admin, groups.at(-1) as string));

    const ratio = median(ratios);
    console.log(
      `P4 consume: ${fmt(total)} messages per run (~300-byte JSON values, CloudEvents headers) on 3 partitions, ` +
        `fresh group per run, timed from subscribe to the last handler resolved, ` +
        `${rounds} rounds alternating raw/ours (order swapped every round) after ${fmt(warmupMessages)} warm-up messages each`,
    );
    console.log(
      'commit policy: at-least-once, one message.commit() per record after its handler, not awaited ' +
        'before the next record (raw-awaited: awaited); one record in flight per partition, ' +
        'partitions concurrent, <= 1000 records buffered',
    );
    printTable(rows);
    console.log(`ratio per round (ours/raw): ${ratios.map((r) => r.toFixed(3)).join(', ')}`);
    console.log(`ceiling (raw, same commit policy): median ${fmt(median(rates.raw))} msgs/s`);
    console.log(`result (createKafkaSubscriber): median ${fmt(median(rates.ours))} msgs/s`);
    console.log(
      `CPU of this process per message (median): raw ${median(cpuPerMessage.raw).toFixed(2)} µs, ` +
        `ours ${median(cpuPerMessage.ours).toFixed(2)} µs; raw/ours ${(median(cpuPerMessage.raw) / median(cpuPerMessage.ours)).toFixed(3)}`,
    );
    console.log(
      `ratio ours/raw (median of the rounds): ${ratio.toFixed(3)} (target >= ${target}) ${ratio >= target ? 'PASS' : 'FAIL'}`,
    );
    console.log(
      `reference (raw, each commit awaited before the next record — the earlier policy): ` +
        `${fmt((awaitedMessages / awaited.ms) * 1000)} msgs/s`,
    );
  } finally {
    await admin.close().catch(() => {});
    await cleanUp(brokers, { topics: [topic], groups });
  }
  if (sink < 0) console.log(sink);
}

await main();
