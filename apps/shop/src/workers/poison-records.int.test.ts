import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { CE, deadLetterTopic, DLT, encodeMessage } from '@surge/messaging';
import { USERS_TOPIC, UserRegistered } from '../modules/users/user-events.ts';
import { eventually } from '../testing/eventually.ts';
import { committedByGroup, endOffsets, produceRaw, readRaw, type RawRecord } from '../testing/kafka-topics.ts';
import { startTestApp, type TestApp } from '../testing/test-app.ts';

const PARTITION = 0;

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
function validRegistration(): { id: string; userId: string; record: RawRecord } {
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
      const end = await endOffsets(t.config.kafkaBrokers, [topic, deadLetterTopic(topic)]).catch(() => undefined);
      return end?.get(topic)?.length && end.get(deadLetterTopic(topic))?.length ? true : undefined;
    });
  });
  after(() => t.close());

  it('the welcome and audit row of the next registration arrive; both poison records are in .dlt and dead_letters; lag reaches 0', async (tt) => {
    const brokers = t.config.kafkaBrokers;
    const onesId = uuidv7();
    const ones: RawRecord = {
      partition: PARTITION,
      key: Buffer.from('poison-ones'),
      value: Buffer.alloc(300 * 1024, 0x01),
      headers: ceHeaders(onesId),
    };
    const binary: RawRecord = {
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
          t.ctx.db.selectFrom('audit_log').select('event_id').where('event_id', '=', valid.id).executeTakeFirst(),
        ]);
        progress = `notification ${notification ? 'yes' : 'no'}, audit row ${audit ? 'yes' : 'no'}`;
        return notification && audit ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, progress: () => progress },
    );

    const groups = [`${t.config.kafkaTopicPrefix}surge-notifications`, `${t.config.kafkaTopicPrefix}surge-audit`];
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
    const header = (r: (typeof dlt)[number], name: string) => r.headers.find(([k]) => k === name)?.[1]?.toString();
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
        assert.ok(c.value?.equals(original.value as Buffer), `.dlt copy of offset ${offset} differs from the original bytes`);
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
  });
});
