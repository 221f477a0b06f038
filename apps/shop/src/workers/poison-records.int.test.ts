import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { CE, deadLetterTopic, DLT, encodeMessage, toBuffer } from '@surge/messaging';
import { decodeStoredRecord } from '../modules/dead-letters/stored-record.ts';
import { USERS_TOPIC, UserRegistered } from '../modules/users/user-events.ts';
import { eventually, produceRaw, readRaw, type RawKafkaRecord } from '@surge/test-support';
import { committedByGroup, endOffsets } from '../testing/kafka-topics.ts';
import { startTestApp, type TestApp } from '../testing/test-app.ts';

const PARTITION = 0;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** CloudEvents binary-mode headers of a `user.registered` record, as bytes. */
const ceHeaders = (id: string): Array<[string, Buffer]> =>
  Object.entries({
    [CE.specversion]: '1.0',
    [CE.id]: id,
    [CE.type]: UserRegistered.type,
    [CE.source]: '/tests/poison',
    [CE.time]: new Date().toISOString(),
    [CE.contentType]: 'application/json',
  }).map(([k, v]) => [k, Buffer.from(v)]);

/** A valid `user.registered` record, as the outbox relay would write it. */
function validRegistration(): { id: string; userId: string; record: RawKafkaRecord } {
  const userId = crypto.randomUUID();
  const m = UserRegistered.create(
    {
      userId,
      email: `poison-${userId}@test.surge`,
      displayName: 'After the poison',
      registeredAt: new Date().toISOString(),
    },
    { key: userId, source: '/tests/poison', subject: userId },
  );
  const w = encodeMessage(m);
  return {
    id: m.id,
    userId,
    record: {
      partition: PARTITION,
      key: Buffer.from(w.key),
      value: Buffer.from(w.value),
      headers: Object.entries(w.headers).map(([k, v]) => [k, Buffer.from(v)]),
    },
  };
}

/**
 * Issue 8, finding 2 (G7): a ~300 KB value of `\x01` bytes with valid CloudEvents headers, and a
 * 450 KB random binary value without any, each failed the schema; their dead-letter copies were
 * re-encoded as JSON strings (`\u0001` is 6 bytes, invalid UTF-8 became U+FFFD), grew past the
 * broker's 1 MiB message size, the publish failed with MESSAGE_TOO_LARGE, and each record was
 * redelivered in place forever: registrations behind them on that partition got no welcome and
 * no audit row, and lag grew. Now each poison record lands in `.dlt` byte for byte and in
 * `dead_letters`, the valid event behind them is processed, and both groups reach lag 0.
 */
describe('large binary poison records on a users partition are dead-lettered and the partition moves on', () => {
  let t: TestApp;
  let topic: string;
  before(async () => {
    t = await startTestApp({}, { workers: true });
    topic = t.ctx.topic(USERS_TOPIC);
    // The worker provisions the topics; wait for them before producing.
    await eventually('users topic provisioned', async () => {
      const end = await endOffsets(t.config.kafkaBrokers, [topic, deadLetterTopic(topic)]).catch(
        () => undefined,
      );
      return end?.get(topic)?.length && end.get(deadLetterTopic(topic))?.length ? true : undefined;
    });
  });
  after(() => t.close());

  it('the welcome and audit row of the next registration arrive; both poison records are in .dlt and dead_letters; lag reaches 0; listed and replayable', async (tt) => {
    const brokers = t.config.kafkaBrokers;
    const onesId = uuidv7();
    const ones: RawKafkaRecord = {
      partition: PARTITION,
      key: Buffer.from('poison-ones'),
      value: Buffer.alloc(300 * 1024, 0x01),
      headers: ceHeaders(onesId),
    };
    const binary: RawKafkaRecord = {
      partition: PARTITION,
      key: Buffer.from('poison-binary'),
      value: randomBytes(450 * 1024),
    };
    const valid = validRegistration();
    const offsets = await produceRaw(brokers, topic, [ones, binary, valid.record]);
    tt.diagnostic(`produced at offsets ${offsets.join(', ')} of ${topic}/${PARTITION}`);
    const [onesOffset, binaryOffset] = offsets.map(String);

    let progress = '';
    await eventually(
      'the welcome notification and the audit row of the registration behind the poison',
      async () => {
        const [notification, audit] = await Promise.all([
          t.ctx.db.selectFrom('notifications').select('id').where('id', '=', valid.id).executeTakeFirst(),
          t.ctx.db
            .selectFrom('audit_log')
            .select('event_id')
            .where('event_id', '=', valid.id)
            .executeTakeFirst(),
        ]);
        progress = `notification ${notification ? 'yes' : 'no'}, audit row ${audit ? 'yes' : 'no'}`;
        return notification && audit ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, progress: () => progress },
    );

    const groups = [
      `${t.config.kafkaTopicPrefix}surge-notifications`,
      `${t.config.kafkaTopicPrefix}surge-audit`,
    ];
    const rows = await eventually(
      'a dead_letters row per poison record and group',
      async () => {
        const r = await t.ctx.db
          .selectFrom('dead_letters')
          .selectAll()
          .where('original_topic', '=', topic)
          .execute();
        progress = JSON.stringify(r.map((x) => [x.consumer_group, x.original_offset, x.error_class]));
        return r.length >= 4 ? r : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, progress: () => progress },
    );
    for (const g of groups) {
      for (const o of [onesOffset, binaryOffset]) {
        const row = rows.find((r) => r.consumer_group === g && String(r.original_offset) === o);
        assert.ok(row, `no dead_letters row of ${g} for offset ${o}: ${progress}`);
        assert.equal(row.error_class, 'SchemaError');
        assert.equal(row.original_partition, PARTITION);
      }
    }

    // The .dlt copies keep the original bytes (no JSON re-encoding, no U+FFFD).
    const dlt = await readRaw(brokers, deadLetterTopic(topic));
    const header = (r: (typeof dlt)[number], name: string) =>
      r.headers.find(([k]) => k === name)?.[1]?.toString();
    for (const [offset, original] of [
      [onesOffset, ones],
      [binaryOffset, binary],
    ] as const) {
      const copies = dlt.filter((r) => header(r, DLT.offset) === offset);
      assert.deepEqual(
        copies.map((r) => header(r, DLT.group)).sort(),
        [...groups].sort(),
        `.dlt copies of offset ${offset}`,
      );
      for (const c of copies) {
        assert.ok(
          c.value?.equals(original.value as Buffer),
          `.dlt copy of offset ${offset} differs from the original bytes`,
        );
        assert.ok(c.key?.equals(original.key as Buffer), `.dlt copy of offset ${offset} has another key`);
        assert.equal(header(c, DLT.truncated), undefined, 'it fits: not truncated');
      }
    }

    // Both groups committed past everything on the partition: lag 0.
    const end = (await endOffsets(brokers, [topic])).get(topic)?.[PARTITION];
    await eventually(
      'both consumer groups at the end of the partition',
      async () => {
        const committed = await committedByGroup(brokers, t.config.kafkaTopicPrefix + 'surge-');
        const at = groups.map((g) => committed.get(g)?.get(`${topic}:${PARTITION}`));
        progress = `end ${end}, committed ${JSON.stringify(at.map(String))}`;
        return at.every((c) => c === end) ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, progress: () => progress },
    );

    const metrics = await t.ctx.metrics.getSingleMetricAsString('surge_messages_dead_lettered_total');
    for (const handler of ['notifications', 'audit'])
      assert.match(metrics, new RegExp(`handler="${handler}",topic="${topic}"} 2\\b`), metrics);

    // dead_letters keeps the bytes, their size and hash; the admin list shows them; replay
    // republishes the binary record byte for byte (and it is dead-lettered again).
    const notificationsGroup = groups[0]!;
    const binaryRow = rows.find(
      (r) => r.consumer_group === notificationsGroup && String(r.original_offset) === binaryOffset,
    );
    assert.ok(binaryRow);
    assert.equal(binaryRow.value_bytes, 450 * 1024);
    assert.equal(binaryRow.value_sha256, sha256(binary.value as Buffer));
    assert.equal(binaryRow.truncated, null);
    const stored = decodeStoredRecord(binaryRow.record ?? '');
    assert.ok(
      toBuffer(stored.value ?? '').equals(binary.value as Buffer),
      'dead_letters.record holds the original bytes',
    );
    assert.ok(toBuffer(stored.key ?? '').equals(binary.key as Buffer));

    const auth = { authorization: `Bearer ${await t.token('admin', uuidv7())}` };
    const list = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/dead-letters?limit=100',
      headers: auth,
    });
    assert.equal(list.statusCode, 200, list.body);
    const listed = list
      .json<{ items: Array<Record<string, unknown>> }>()
      .items.find((i) => i.id === binaryRow.id);
    assert.deepEqual(
      listed && [listed.valueBytes, listed.valueSha256, listed.truncated, listed.inDeadLetterTopic],
      [450 * 1024, binaryRow.value_sha256, [], true],
    );

    const replay = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/dead-letters/${binaryRow.id}/replay`,
      headers: auth,
    });
    assert.equal(replay.statusCode, 200, replay.body);
    // Byte for byte: found by its bytes, anywhere but where the original sits.
    const replayed = await eventually('the replayed copy on the original topic', async () =>
      (await readRaw(brokers, topic)).find(
        (r) =>
          r.value?.equals(binary.value as Buffer) === true &&
          r.key?.equals(binary.key as Buffer) === true &&
          !(r.partition === PARTITION && String(r.offset) === binaryOffset),
      ),
    );
    await eventually('the replayed record dead-lettered again', async () => {
      const again = await t.ctx.db
        .selectFrom('dead_letters')
        .select('id')
        .where('original_topic', '=', topic)
        .where('original_partition', '=', replayed.partition)
        .where('original_offset', '=', replayed.offset.toString())
        .execute();
      return again.length >= 2 ? true : undefined;
    });
  });

  it('a record too large for the .dlt with its dlt_* headers is stored truncated, with size and hash; its replay is refused (409)', async () => {
    const brokers = t.config.kafkaBrokers;
    // As large as the users topic takes (1 MiB): with the dead-letter headers added it no longer fits.
    const value = Buffer.alloc(1_048_000, 0x02);
    const [offset] = await produceRaw(brokers, topic, [
      { partition: 1, key: Buffer.from('poison-near-limit'), value, headers: ceHeaders(uuidv7()) },
    ]);
    const row = await eventually('the truncated dead letter recorded', () =>
      t.ctx.db
        .selectFrom('dead_letters')
        .selectAll()
        .where('original_topic', '=', topic)
        .where('original_partition', '=', 1)
        .where('original_offset', '=', String(offset))
        .executeTakeFirst(),
    );
    assert.equal(row.truncated, 'value');
    assert.equal(row.value_bytes, value.length);
    assert.equal(row.value_sha256, sha256(value));
    const kept = toBuffer(decodeStoredRecord(row.record ?? '').value ?? '');
    assert.ok(
      kept.length > 1_000_000 && kept.equals(value.subarray(0, kept.length)),
      'a prefix of the original',
    );

    const auth = { authorization: `Bearer ${await t.token('admin', uuidv7())}` };
    const replay = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/dead-letters/${row.id}/replay`,
      headers: auth,
    });
    assert.equal(replay.statusCode, 409, replay.body);
    assert.equal(replay.json<{ code: string }>().code, 'DEAD_LETTER_TRUNCATED');
    assert.match(replay.headers['content-type'] ?? '', /application\/problem\+json/);
  });

  it('the last resort stores a dead letter the broker refused in dead_letters, once, listed as not in the .dlt topic', async () => {
    const lastResort = t.features['dead-letters'].lastResort;
    const record = {
      key: Buffer.from([0xff]),
      value: Buffer.from([0x00, 0xfe]),
      headerEntries: [
        [DLT.topic, topic],
        [DLT.partition, '2'],
        [DLT.offset, '12345'],
        [DLT.group, 'last-resort-test'],
        [DLT.errorClass, 'SchemaError'],
      ] as Array<[string, string]>,
    };
    const letter = {
      topic: deadLetterTopic(topic),
      record,
      error: new Error('poison'),
      publishError: new Error('MESSAGE_TOO_LARGE'),
    };
    await lastResort(letter);
    await lastResort(letter); // a redelivery after a crash
    const rows = await t.ctx.db
      .selectFrom('dead_letters')
      .selectAll()
      .where('consumer_group', '=', 'last-resort-test')
      .execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.dlt_offset, null);
    assert.equal(rows[0]?.dlt_publish_error, 'MESSAGE_TOO_LARGE');
    assert.equal(rows[0]?.value_bytes, 2);
    const auth = { authorization: `Bearer ${await t.token('admin', uuidv7())}` };
    const list = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/dead-letters?limit=100',
      headers: auth,
    });
    const item = list
      .json<{ items: Array<Record<string, unknown>> }>()
      .items.find((i) => i.id === rows[0]?.id);
    assert.equal(item?.inDeadLetterTopic, false);
    assert.equal(item?.publishError, 'MESSAGE_TOO_LARGE');
  });
});
