// Issue 8, finding 2 and the rest of its kind (G7): whatever a producer wrote — a value that is not
// UTF-8 or not JSON, bigger than a fetch, valid JSON but huge, no value at all, a key that is not
// UTF-8, headers that are binary, huge or repeated — each record is either processed or
// dead-lettered (byte for byte, cut to the dead-letter topic's size when it must be), and the
// partition always moves on. Real Kafka, one partition, records in a known order.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { Registry } from 'prom-client';
import { Type } from 'typebox';
import { v7 as uuidv7 } from 'uuid';
import { produceRaw, readRaw, type RawKafkaRecord, type ReadRecord } from '@surge/test-support';
import { encodeMessage } from '../cloudevents.ts';
import { DLT, deadLetterTopic } from '../dead-letter-headers.ts';
import { defineEvent, EventRegistry } from '../events.ts';
import { recordBytes } from '../raw-record.ts';
import { waitUntil } from '../contract/wait-until.ts';
import type { UndeliverableDeadLetter } from '../router/dead-letter.ts';
import { createMessagingMetrics } from '../router/metrics.ts';
import { createRouter } from '../router/router.ts';
import { createKafkaPublisher } from './kafka-publisher.ts';
import { createKafkaSubscriber } from './kafka-subscriber.ts';
import { TEST_SUBSCRIBER, testBrokers } from './testing/kafka-test-clients.ts';

const brokers = testBrokers();
const WAIT_MS = 60_000;
const Poked = defineEvent({
  type: 'test.poked.v1',
  topic: 'unused',
  schema: Type.Object({ n: Type.Integer() }, { additionalProperties: false }),
});
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const header = (r: ReadRecord, name: string) => r.headers.find(([k]) => k === name)?.[1]?.toString();

/** A CloudEvents record as bytes: `data` encoded as JSON unless `value` replaces it. */
function event(
  data: unknown,
  over: { key?: Buffer; value?: Buffer | null; headers?: Array<[string, Buffer]> } = {},
): RawKafkaRecord & { id: string } {
  // Not `Poked.create`: that validates, and most of these must not be valid.
  const m = {
    id: uuidv7(),
    type: Poked.type,
    source: '/tests/poison',
    time: new Date().toISOString(),
    key: 'k',
    data,
    headers: {},
  };
  const w = encodeMessage(m);
  const value = over.value === null ? undefined : (over.value ?? Buffer.from(w.value));
  return {
    id: m.id,
    partition: 0,
    key: over.key ?? Buffer.from(w.key),
    ...(value === undefined ? {} : { value }),
    headers: [
      ...Object.entries(w.headers).map(([k, v]) => [k, Buffer.from(v)] as [string, Buffer]),
      ...(over.headers ?? []),
    ],
  };
}

async function createTopic(name: string, configs: Array<{ name: string; value: string }> = []) {
  const admin = new Admin({ clientId: 'poison-test', bootstrapBrokers: brokers, timeout: 10_000 });
  try {
    await admin.createTopics({ topics: [name], partitions: 1, replicas: 1, configs });
  } finally {
    await admin.close();
  }
}

async function deleteTopics(names: string[]) {
  const admin = new Admin({ clientId: 'poison-test', bootstrapBrokers: brokers, timeout: 10_000 });
  try {
    await admin.deleteTopics({ topics: names });
  } catch {
    // a leftover test topic is harmless: its name is unique
  } finally {
    await admin.close();
  }
}

async function setMaxMessageBytes(topic: string, bytes: number) {
  const admin = new Admin({ clientId: 'poison-test', bootstrapBrokers: brokers, timeout: 10_000 });
  try {
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configs: [
            {
              name: 'max.message.bytes',
              configOperation: IncrementalAlterConfigOperationTypes.SET,
              value: String(bytes),
            },
          ],
        },
      ],
    });
  } finally {
    await admin.close();
  }
}

/** A router on `topic` with one handler that records the events it processed. */
function consuming(topic: string) {
  const registry = new Registry();
  const publisher = createKafkaPublisher({ brokers, clientId: 'poison-test', timeoutMs: 10_000 });
  const subscriber = createKafkaSubscriber({ brokers, ...TEST_SUBSCRIBER, metrics: registry });
  const metrics = createMessagingMetrics(registry);
  const lastResorts: UndeliverableDeadLetter[] = [];
  const router = createRouter({
    subscriber,
    publisher,
    registry: new EventRegistry([Poked]),
    metrics,
    lastResort: (l) => (lastResorts.push(l), Promise.resolve()),
  });
  const processed: Array<{ id: string; key: string; headers: Record<string, string> }> = [];
  const group = `poison-${randomUUID()}`;
  router.addHandler({
    name: 'poked',
    topic,
    group,
    handle: (d) => (processed.push({ id: d.id, key: d.key, headers: d.headers }), Promise.resolve()),
    timeoutMs: 10_000,
    retry: { baseMs: 10, maxMs: 50 },
  });
  return {
    router,
    processed,
    lastResorts,
    group,
    registry,
    async committed(): Promise<bigint> {
      const admin = new Admin({ clientId: 'poison-test', bootstrapBrokers: brokers, timeout: 10_000 });
      try {
        const [g] = await admin.listConsumerGroupOffsets({ groups: [group] });
        return g?.topics.find((t) => t.name === topic)?.partitions[0]?.committedOffset ?? -1n;
      } finally {
        await admin.close();
      }
    },
    async close() {
      await router.close();
      await subscriber.close();
      await publisher.close();
    },
  };
}

describe('kafka: no record of any shape wedges its partition', () => {
  const topic = `surge-test.poison.${randomUUID()}`;
  let c: ReturnType<typeof consuming>;
  before(async () => {
    // The topic takes records up to 4 MiB (so one can exceed a 1 MiB fetch); its .dlt has the default 1 MiB.
    await createTopic(topic, [{ name: 'max.message.bytes', value: String(4 << 20) }]);
    await createTopic(deadLetterTopic(topic));
    c = consuming(topic);
    await c.router.start();
  });
  after(async () => {
    await c.close();
    await deleteTopics([topic, deadLetterTopic(topic)]);
  });

  it('each record is processed or dead-lettered, in order, and the group commits past all of them', async (t) => {
    const big = Buffer.alloc(1536 * 1024, 0x78); // 1.5 MiB: more than a fetch (1 MiB) and the .dlt's size
    const hugeJson = Buffer.from(JSON.stringify({ n: Array.from({ length: 600_000 }, () => 1) })); // ~1.2 MB
    const records = {
      first: event({ n: 1 }),
      biggerThanAFetch: event(null, { value: big }),
      binaryKey: event({ n: 2 }, { key: Buffer.from([0xff, 0xfe, 0x6b]) }),
      binaryHeader: event({ n: 3 }, { headers: [['x-bin', Buffer.from([0xc3, 0x28])]] }),
      hugeAndRepeatedHeaders: event(
        { n: 'not an integer' },
        {
          headers: [
            ['x-huge', Buffer.alloc(600 * 1024, 0x61)],
            ['x-twice', Buffer.from('a')],
            ['x-twice', Buffer.from('b')],
          ],
        },
      ),
      headersBiggerThanTheDlt: event(
        { n: 'no' },
        { headers: [['x-giant', Buffer.alloc(1200 * 1024, 0x62)]] },
      ),
      repeatedCeId: event({ n: 4 }, { headers: [['ce_id', Buffer.from('another-id')]] }),
      hugeValidJson: event(null, { value: hugeJson }),
      tombstone: event(null, { value: null }),
      nothingAtAll: { id: '', partition: 0 } as RawKafkaRecord & { id: string },
      last: event({ n: 5 }),
    };
    const offsets = await produceRaw(brokers, topic, Object.values(records));
    const at = Object.fromEntries(Object.keys(records).map((name, i) => [name, String(offsets[i])]));
    t.diagnostic(`offsets ${JSON.stringify(at)}`);

    const end = offsets[offsets.length - 1]! + 1n;
    let committed = -1n;
    await waitUntil(
      async () => (committed = await c.committed()) === end,
      WAIT_MS,
      () => `committed ${committed} of ${end}; processed ${c.processed.length}`,
    );

    assert.deepEqual(
      c.processed.map((p) => p.id),
      [records.first.id, records.binaryKey.id, records.binaryHeader.id, records.last.id],
      'the valid events, in order, each once',
    );
    assert.equal(
      c.processed[1]?.key,
      '\uFFFD\uFFFDk',
      'a key that is not UTF-8 reaches the handler with U+FFFD',
    );
    assert.equal(c.processed[2]?.headers['x-bin'], '\uFFFD(');

    const dlt = await readRaw(brokers, deadLetterTopic(topic));
    const copyOf = (name: keyof typeof records) => {
      const found = dlt.filter((r) => header(r, DLT.offset) === at[name]);
      assert.equal(found.length, 1, `one .dlt copy of ${name}`);
      return found[0]!;
    };
    for (const r of dlt) {
      const bytes = recordBytes({ key: r.key, value: r.value, headerEntries: r.headers });
      assert.ok(bytes <= 1_048_588, `a .dlt record of ${bytes} bytes`);
    }
    assert.deepEqual(
      dlt.map((r) => header(r, DLT.offset)).sort(),
      [
        'biggerThanAFetch',
        'hugeAndRepeatedHeaders',
        'headersBiggerThanTheDlt',
        'repeatedCeId',
        'hugeValidJson',
        'tombstone',
        'nothingAtAll',
      ]
        .map((n) => at[n])
        .sort(),
      'every other record, dead-lettered once',
    );

    const bigCopy = copyOf('biggerThanAFetch');
    assert.equal(header(bigCopy, DLT.truncated), 'value');
    assert.equal(header(bigCopy, DLT.valueBytes), String(big.length));
    assert.equal(header(bigCopy, DLT.valueSha256), sha256(big));
    assert.ok(
      bigCopy.value &&
        bigCopy.value.length > 900_000 &&
        bigCopy.value.equals(big.subarray(0, bigCopy.value.length)),
    );
    assert.match(header(bigCopy, DLT.errorMessage) ?? '', /not JSON/);

    const repeated = copyOf('hugeAndRepeatedHeaders');
    assert.equal(header(repeated, DLT.truncated), undefined, 'fits whole');
    assert.deepEqual(
      repeated.headers.filter(([k]) => k === 'x-twice').map(([, v]) => v.toString()),
      ['a', 'b'],
    );
    assert.equal(repeated.headers.find(([k]) => k === 'x-huge')?.[1].length, 600 * 1024);

    assert.match(header(copyOf('headersBiggerThanTheDlt'), DLT.truncated) ?? '', /headers/);
    assert.match(
      header(copyOf('repeatedCeId'), DLT.errorMessage) ?? '',
      /repeated CloudEvents headers: ce_id/,
    );
    const json = copyOf('hugeValidJson');
    assert.equal(header(json, DLT.errorClass), 'SchemaError');
    assert.equal(header(json, DLT.truncated), 'value');
    assert.equal(header(json, DLT.valueSha256), sha256(hugeJson));
    const tombstone = copyOf('tombstone');
    assert.equal(tombstone.value, undefined, 'still a tombstone');
    assert.match(header(tombstone, DLT.errorMessage) ?? '', /tombstone/);
    assert.equal(copyOf('nothingAtAll').key, undefined);

    const text = await c.registry.metrics();
    assert.match(text, /surge_messages_dead_lettered_total\{handler="poked",topic="[^"]+"\} 7\b/);
    assert.match(text, /surge_dead_letters_truncated_total\{handler="poked",topic="[^"]+"\} 3\b/);
    assert.match(text, /surge_consumer_stuck_seconds\{group="[^"]+",topic="[^"]+",partition="0"\} 0\b/);
    assert.equal(c.lastResorts.length, 0);
  });
});

describe('kafka: a dead letter the broker refuses goes to the last resort, and the partition moves on', () => {
  const topic = `surge-test.poison.${randomUUID()}`;
  let c: ReturnType<typeof consuming>;
  before(async () => {
    await createTopic(topic);
    await createTopic(deadLetterTopic(topic));
    c = consuming(topic);
    await c.router.start();
  });
  after(async () => {
    await c.close();
    await deleteTopics([topic, deadLetterTopic(topic)]);
  });

  it('the broker lowered the .dlt limit after the publisher learned it: bounded attempts, then the last resort', async () => {
    // The publisher learns the .dlt's 1 MiB limit with the first dead letter…
    const [first] = await produceRaw(brokers, topic, [event(null, { value: Buffer.from('not json') })]);
    await waitUntil(async () => (await c.committed()) === first! + 1n, WAIT_MS, 'the first dead letter');
    // …then the topic takes only 200-byte records: the next copy is refused (MESSAGE_TOO_LARGE),
    // then too large even cut (the dlt_* headers alone exceed it).
    await setMaxMessageBytes(deadLetterTopic(topic), 200);
    const valid = event({ n: 1 });
    const offsets = await produceRaw(brokers, topic, [
      event(null, { value: Buffer.alloc(10_000, 1) }),
      valid,
    ]);
    const end = offsets[1]! + 1n;
    let committed = -1n;
    await waitUntil(
      async () => (committed = await c.committed()) === end,
      WAIT_MS,
      () => `committed ${committed} of ${end}`,
    );

    assert.deepEqual(
      c.processed.map((p) => p.id),
      [valid.id],
    );
    assert.equal(c.lastResorts.length, 1);
    const letter = c.lastResorts[0]!;
    assert.equal(letter.topic, deadLetterTopic(topic));
    assert.match(String((letter.publishError as Error).name), /RecordTooLargeError/);
    const origin = Object.fromEntries(letter.record.headerEntries.map(([k, v]) => [k, String(v)]));
    assert.equal(origin[DLT.offset], String(offsets[0]));
    assert.equal(origin[DLT.valueBytes], '10000');
    const text = await c.registry.metrics();
    assert.match(
      text,
      /surge_dead_letter_failures_total\{handler="poked",topic="[^"]+",outcome="recorded"\} 1\b/,
    );
    assert.match(
      text,
      /surge_dead_letter_publish_errors_total\{handler="poked",topic="[^"]+",kind="rejected"\} 3\b/,
    );
  });
});

// Found beside finding 2: the client sends one batch per partition, and the broker refuses a
// batch over `max.message.bytes` like a record, so one publish of 500 outbox rows of one key
// (~1.8 MB) failed with MESSAGE_TOO_LARGE on every retry and held the relay forever.
describe('kafka: a publish larger than a batch may be lands whole, in order', () => {
  const topic = `surge-test.poison.${randomUUID()}`;
  before(() => createTopic(topic));
  after(() => deleteTopics([topic]));

  it('600 messages of 3 KB with one key (one partition, ~1.8 MB) in one publish', async () => {
    const publisher = createKafkaPublisher({ brokers, clientId: 'poison-test', timeoutMs: 30_000 });
    const sent = Array.from({ length: 600 }, (_, n) =>
      Poked.create({ n }, { key: 'one-key', source: '/tests/poison' }),
    );
    try {
      await publisher.publish(
        topic,
        sent.map((m) => ({ ...m, headers: { pad: 'x'.repeat(3000) } })),
      );
    } finally {
      await publisher.close();
    }
    const read = await readRaw(brokers, topic);
    assert.deepEqual(
      read.map((r) => header(r, 'ce_id')),
      sent.map((m) => m.id),
    );
  });
});
