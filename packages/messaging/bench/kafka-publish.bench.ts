/**
 * P4 publish (docs/benchmarks.md): `createKafkaPublisher` vs the raw `@platformatic/kafka` Producer with the
 * same settings (idempotent, acks=all, string serialisers, same timeouts and retries), the same
 * records (same ~300-byte JSON values over 16 keys, same CloudEvents headers), the same batch size
 * and the same number of concurrent outstanding calls. Target: ours ≥ 0.8 × raw.
 *
 * The raw side sends records encoded before the timed window (the minimum the feature needs);
 * ours encodes inside it, so the ratio includes the whole cost of the layer.
 *
 *   node packages/messaging/bench/kafka-publish.bench.ts
 *
 * Env: KAFKA_BROKERS (127.0.0.1:9092), BENCH_MESSAGES per round (50000), BENCH_BATCH (100),
 * BENCH_CONCURRENCY (8), BENCH_ROUNDS per side (5), BENCH_WARMUP messages per side (10000).
 */
import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { encodeMessage } from '../src/cloudevents.ts';
import { createKafkaPublisher } from '../src/kafka/kafka-publisher.ts';
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
const messagesPerRound = envInt('BENCH_MESSAGES', 50_000);
const batchSize = envInt('BENCH_BATCH', 100);
const concurrency = envInt('BENCH_CONCURRENCY', 8);
const rounds = envInt('BENCH_ROUNDS', 5);
const warmupMessages = envInt('BENCH_WARMUP', 10_000);
const timeoutMs = 5000;
const target = 0.8;

const id = runId();
const topic = `bench.p4-publish.${id}`;

/** The raw producer configured exactly as `createKafkaPublisher` configures its own. */
function rawProducer() {
  return new Producer({
    clientId: `bench-raw-${id}`,
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    serializers: stringSerializers,
    autocreateTopics: false,
    connectTimeout: Math.min(timeoutMs, 3000),
    requestTimeout: timeoutMs,
    timeout: timeoutMs,
    retries: 2,
    retryDelay: 200,
  });
}

async function main() {
  await provisionTopics({ brokers, clientId: 'bench' }, [
    { name: topic, partitions: 3, withDeadLetter: false },
  ]);
  const raw = rawProducer();
  const ours = createKafkaPublisher({ brokers, clientId: `bench-ours-${id}`, timeoutMs });
  try {
    const messages = makeMessages(messagesPerRound);
    const ourBatches = chunk(messages, batchSize);
    const rawBatches = ourBatches.map((batch) => batch.map((m) => ({ topic, ...encodeMessage(m) })));
    const sides = {
      raw: (n: number) =>
        runConcurrent(rawBatches.slice(0, n), concurrency, async (messages) => {
          await raw.send({ messages });
        }),
      ours: (n: number) =>
        runConcurrent(ourBatches.slice(0, n), concurrency, (batch) => ours.publish(topic, batch)),
    };

    const warmupBatches = Math.ceil(warmupMessages / batchSize);
    await sides.raw(warmupBatches);
    await sides.ours(warmupBatches);

    const totals = { raw: { ms: 0, msgs: 0 }, ours: { ms: 0, msgs: 0 } };
    const rows: (string | number)[][] = [['round', 'side', 'messages', 'ms', 'msgs/s']];
    for (let round = 1; round <= rounds; round++) {
      for (const side of ['raw', 'ours'] as const) {
        const ms = await sides[side](ourBatches.length);
        totals[side].ms += ms;
        totals[side].msgs += messages.length;
        rows.push([round, side, messages.length, fmt(ms), fmt((messages.length / ms) * 1000)]);
      }
    }

    const rawRate = (totals.raw.msgs / totals.raw.ms) * 1000;
    const ourRate = (totals.ours.msgs / totals.ours.ms) * 1000;
    const ratio = ourRate / rawRate;
    console.log(
      `P4 publish: ${fmt(messagesPerRound)} messages/round, ~300-byte JSON values, 16 keys, 3 partitions, ` +
        `batches of ${batchSize}, ${concurrency} calls outstanding, idempotent, acks=all, ` +
        `${rounds} rounds per side alternating raw/ours after ${fmt(warmupBatches * batchSize)} warm-up messages each`,
    );
    printTable(rows);
    console.log(`ceiling (raw Producer.send): ${fmt(rawRate)} msgs/s`);
    console.log(`result (createKafkaPublisher): ${fmt(ourRate)} msgs/s`);
    console.log(
      `ratio ours/raw: ${ratio.toFixed(3)} (target >= ${target}) ${ratio >= target ? 'PASS' : 'FAIL'}`,
    );
  } finally {
    await Promise.allSettled([raw.close(), ours.close()]);
    await cleanUp(brokers, { topics: [topic] });
  }
}

await main();
