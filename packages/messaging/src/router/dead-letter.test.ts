import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FatalError, TransientError } from '@surge/resilience';
import type { Delivery, RawRecord } from '../message.ts';
import { recordBytes, toBuffer } from '../raw-record.ts';
import { RecordTooLargeError } from '../record-too-large-error.ts';
import { deadLetter, type DeadLetterOptions, type UndeliverableDeadLetter } from './dead-letter.ts';
import { compose } from './middleware.ts';
import { fakeRecordPublisher } from './testing/fake-record-publisher.ts';

/** A delivery whose transport kept the record's bytes, as the Kafka subscriber does. */
function rawDelivery(raw: RawRecord, over: Partial<Delivery> = {}): Delivery {
  return {
    id: 'id-1',
    type: 'test.registered.v1',
    source: '/test',
    time: '2026-12-01T10:00:00.000Z',
    key: 'k',
    data: null,
    headers: {},
    topic: 'test.users',
    partition: 1,
    offset: '7',
    timestamp: 1_700_000_000_000,
    deliveryAttempt: 1,
    malformed: 'the record value is not JSON',
    raw,
    ...over,
  };
}

const poison = () => Promise.reject(new FatalError('poison'));
const signal = () => new AbortController().signal;
const fast = { backoff: { baseMs: 1, maxMs: 1 } } satisfies Partial<DeadLetterOptions>;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('deadLetter: the copy is the record as bytes, bounded', () => {
  it('regression (issue 8): a 300 KB value of \\x01 bytes is copied as its 300 KB, not JSON-escaped to 1.8 MB', async () => {
    const { publisher, sent } = fakeRecordPublisher();
    const value = Buffer.alloc(300 * 1024, 0x01);
    const h = compose(poison, deadLetter({ publisher, group: 'g' }));
    await h(rawDelivery({ key: 'k', value, headerEntries: [['ce_id', 'id-1']] }), signal());
    assert.equal(sent.length, 1);
    const copy = sent[0]!;
    assert.ok(toBuffer(copy.record.value ?? '').equals(value), 'the value is the original bytes');
    assert.equal(copy.headers.dlt_original_value_bytes, String(value.length));
    assert.equal(copy.headers.dlt_original_value_sha256, sha256(value));
    assert.equal(copy.headers.dlt_truncated, undefined);
    assert.equal(copy.headers.ce_id, 'id-1');
  });

  it('bytes that are not UTF-8 (key, value, header) are copied unchanged, a repeated header stays repeated', async () => {
    const { publisher, sent } = fakeRecordPublisher();
    const key = Buffer.from([0xff, 0xfe, 0x00]);
    const value = Buffer.from([0xc3, 0x28, 0xa0, 0xa1]);
    const header = Buffer.from([0x80]);
    const h = compose(poison, deadLetter({ publisher, group: 'g' }));
    await h(
      rawDelivery({
        key,
        value,
        headerEntries: [
          ['x', header],
          ['x', 'again'],
        ],
      }),
      signal(),
    );
    const { record } = sent[0]!;
    assert.ok(toBuffer(record.key ?? '').equals(key));
    assert.ok(toBuffer(record.value ?? '').equals(value));
    const xs = record.headerEntries.filter(([n]) => n === 'x').map(([, v]) => toBuffer(v ?? ''));
    assert.deepEqual(xs, [header, Buffer.from('again')]);
  });

  it("a record over the dead-letter topic's size lands cut to it, saying so: dlt_truncated, the original size and SHA-256", async () => {
    const maxRecordBytes = 64 * 1024;
    const { publisher, sent } = fakeRecordPublisher({ maxRecordBytes });
    const value = Buffer.alloc(450 * 1024, 0xab);
    const h = compose(poison, deadLetter({ publisher, group: 'g' }));
    await h(rawDelivery({ key: 'k', value, headerEntries: [] }), signal());
    const { record, headers } = sent[0]!;
    assert.ok(recordBytes(record) <= maxRecordBytes, `${recordBytes(record)} > ${maxRecordBytes}`);
    assert.equal(headers.dlt_truncated, 'value');
    assert.equal(headers.dlt_original_value_bytes, String(value.length));
    assert.equal(headers.dlt_original_value_sha256, sha256(value));
    const kept = toBuffer(record.value ?? '');
    assert.ok(kept.length > 0 && kept.equals(value.subarray(0, kept.length)), 'a prefix of the original');
  });

  it('a tombstone (no value) is dead-lettered as one: no value, no value size', async () => {
    const { publisher, sent } = fakeRecordPublisher();
    const h = compose(poison, deadLetter({ publisher, group: 'g' }));
    await h(rawDelivery({ key: 'k', value: undefined, headerEntries: [] }), signal());
    assert.equal(sent[0]?.record.value, undefined);
    assert.equal(sent[0]?.headers.dlt_original_value_bytes, undefined);
  });

  it('replaces dlt_* headers the record already had (a dead letter copied back by hand)', async () => {
    const { publisher, sent } = fakeRecordPublisher();
    const h = compose(poison, deadLetter({ publisher, group: 'g2' }));
    await h(rawDelivery({ key: 'k', value: 'v', headerEntries: [['dlt_consumer_group', 'old']] }), signal());
    assert.deepEqual(
      sent[0]?.record.headerEntries.filter(([n]) => n === 'dlt_consumer_group').map(([, v]) => v),
      ['g2'],
    );
  });
});

describe('deadLetter: a dead letter that cannot be published never holds its partition', () => {
  it('a refused publish is tried maxPublishAttempts times, then the last resort stores it and the delivery is acked', async () => {
    const { publisher, attempts } = fakeRecordPublisher({
      fail: () => new Error('TOPIC_AUTHORIZATION_FAILED'),
    });
    const stored: UndeliverableDeadLetter[] = [];
    const outcomes: string[] = [];
    const h = compose(
      poison,
      deadLetter({
        publisher,
        group: 'g',
        maxPublishAttempts: 3,
        ...fast,
        lastResort: (l) => (stored.push(l), Promise.resolve()),
        onLastResort: (l) => outcomes.push(l.outcome),
      }),
    );
    await h(rawDelivery({ key: 'k', value: 'v', headerEntries: [] }), signal());
    assert.equal(attempts.get('test.users.dlt'), 3);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.topic, 'test.users.dlt');
    assert.match(String(stored[0]?.publishError), /AUTHORIZATION/);
    assert.ok(stored[0]?.record.headerEntries.some(([n, v]) => n === 'dlt_original_offset' && v === '7'));
    assert.deepEqual(outcomes, ['recorded']);
  });

  it('without a last resort, or when it fails for good, the error log is the last resort and the delivery is acked', async () => {
    for (const lastResort of [undefined, () => Promise.reject(new Error('ER_DATA_TOO_LONG'))]) {
      const { publisher } = fakeRecordPublisher({ fail: () => new Error('INVALID_RECORD') });
      const outcomes: string[] = [];
      const h = compose(
        poison,
        deadLetter({
          publisher,
          group: 'g',
          ...fast,
          ...(lastResort ? { lastResort } : {}),
          onLastResort: (l) => outcomes.push(l.outcome),
        }),
      );
      await h(rawDelivery({ key: 'k', value: 'v', headerEntries: [] }), signal());
      assert.deepEqual(outcomes, ['logged']);
    }
  });

  it('MESSAGE_TOO_LARGE: the limit is learned again and halved, so a smaller copy lands', async () => {
    const { publisher, sent, forgotten } = fakeRecordPublisher({
      maxRecordBytes: 64 * 1024,
      fail: (_t, n) => (n <= 2 ? new RecordTooLargeError('MESSAGE_TOO_LARGE') : undefined),
    });
    const h = compose(poison, deadLetter({ publisher, group: 'g', maxPublishAttempts: 3, ...fast }));
    await h(rawDelivery({ key: 'k', value: Buffer.alloc(100 * 1024), headerEntries: [] }), signal());
    assert.deepEqual(forgotten, ['test.users.dlt', 'test.users.dlt']);
    assert.ok(recordBytes(sent[0]!.record) <= 16 * 1024, `${recordBytes(sent[0]!.record)}`);
    assert.equal(sent[0]?.headers.dlt_truncated, 'value');
  });

  it('while the broker is unavailable the publish retries without limit; nothing goes to the last resort', async () => {
    const { publisher, sent, attempts } = fakeRecordPublisher({
      fail: (_t, n) => (n <= 20 ? new TransientError('kafka is unavailable') : undefined),
    });
    let lastResorts = 0;
    const h = compose(
      poison,
      deadLetter({ publisher, group: 'g', ...fast, lastResort: () => (lastResorts++, Promise.resolve()) }),
    );
    await h(rawDelivery({ key: 'k', value: 'v', headerEntries: [] }), signal());
    assert.equal(attempts.get('test.users.dlt'), 21);
    assert.equal(sent.length, 1);
    assert.equal(lastResorts, 0);
  });

  it('a last resort that is down (transient) is retried until it stores the dead letter', async () => {
    const { publisher } = fakeRecordPublisher({ fail: () => new Error('refused') });
    let calls = 0;
    const h = compose(
      poison,
      deadLetter({
        publisher,
        group: 'g',
        ...fast,
        lastResort: () =>
          ++calls <= 3 ? Promise.reject(new TransientError('mysql down')) : Promise.resolve(),
      }),
    );
    await h(rawDelivery({ key: 'k', value: 'v', headerEntries: [] }), signal());
    assert.equal(calls, 4);
  });

  it('on shutdown while the broker is unavailable it rethrows: nothing is acked', async () => {
    const { publisher } = fakeRecordPublisher({ fail: () => new TransientError('kafka is unavailable') });
    const ac = new AbortController();
    const h = compose(poison, deadLetter({ publisher, group: 'g', ...fast }));
    const p = h(rawDelivery({ key: 'k', value: 'v', headerEntries: [] }), ac.signal);
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p, TransientError);
  });

  it('a record of a dead-letter topic is never dead-lettered again (no .dlt.dlt): it goes to the last resort', async () => {
    const { publisher, attempts } = fakeRecordPublisher();
    const stored: UndeliverableDeadLetter[] = [];
    const h = compose(
      poison,
      deadLetter({ publisher, group: 'g', lastResort: (l) => (stored.push(l), Promise.resolve()) }),
    );
    await h(rawDelivery({ key: 'k', value: 'v', headerEntries: [] }, { topic: 'test.users.dlt' }), signal());
    assert.equal(attempts.size, 0);
    assert.equal(stored[0]?.topic, 'test.users.dlt.dlt');
  });
});
