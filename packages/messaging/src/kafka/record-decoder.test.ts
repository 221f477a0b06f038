import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMessage } from '../cloudevents.ts';
import type { Message } from '../message.ts';
import type { KafkaRecord } from './kafka-consumer.ts';
import { toDelivery } from './record-decoder.ts';

const message: Message = {
  id: 'id-1',
  type: 'surge.test.v1',
  source: '/surge/test',
  time: '2026-12-01T10:00:00.000Z',
  key: 'k',
  data: { n: 1 },
  headers: { traceparent: 'tp' },
};

/** A record as the client hands it out: headers as a Map and as entries. */
function record(
  value: string | Buffer | undefined,
  headers: Record<string, string | Buffer> | Array<[string, string | Buffer]>,
  key: string | Buffer | undefined = 'k',
): KafkaRecord {
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  return {
    key,
    value,
    headers: new Map(entries),
    headerEntries: entries,
    topic: 't',
    partition: 2,
    offset: 41n,
    timestamp: 1_764_583_200_000n,
    commit: () => {},
  } as unknown as KafkaRecord;
}

describe('toDelivery', () => {
  it('decodes the CloudEvents record and adds where it came from and the attempt', () => {
    const wire = encodeMessage(message);
    const r = record(wire.value, wire.headers);
    assert.deepEqual(toDelivery(r, 3), {
      ...message,
      topic: 't',
      partition: 2,
      offset: '41',
      timestamp: 1_764_583_200_000,
      deliveryAttempt: 3,
      raw: r,
    });
  });

  it('delivers a record that does not decode as malformed, with its raw value as data', () => {
    const d = toDelivery(record('not json', { ce_id: 'x' }), 1);
    assert.match(d.malformed ?? '', /missing CloudEvents headers/);
    assert.equal(d.raw?.value, 'not json', 'the raw record rides along for the dead-letter copy');
    assert.equal(d.data, 'not json');
    assert.equal(d.id, 'x');
    assert.equal(d.offset, '41');
  });

  it('gives every attempt a fresh object', () => {
    const wire = encodeMessage(message);
    const r = record(wire.value, wire.headers);
    const first = toDelivery(r, 1);
    (first.data as { n: number }).n = 99;
    assert.deepEqual(toDelivery(r, 2).data, { n: 1 });
  });

  it('a value that is not UTF-8 (bytes) is malformed, with the bytes as data and in raw', () => {
    const wire = encodeMessage(message);
    const bytes = Buffer.from([0xff, 0x00, 0x01]);
    const d = toDelivery(record(bytes, wire.headers), 1);
    assert.equal(d.malformed, 'the record value is not UTF-8 text');
    assert.equal(d.data, bytes);
    assert.equal(d.raw?.value, bytes);
    assert.equal(d.id, message.id);
  });

  it('a tombstone (no value) is malformed, not an empty JSON parse', () => {
    const wire = encodeMessage(message);
    const d = toDelivery(record(undefined, wire.headers), 1);
    assert.equal(d.malformed, 'the record has no value (a tombstone)');
    assert.equal(d.data, null);
    assert.equal(d.raw?.value, undefined);
  });

  it('a key that is not UTF-8 does not stop a valid event: handlers see it with U+FFFD, raw keeps the bytes', () => {
    const wire = encodeMessage(message);
    const key = Buffer.from([0x6b, 0xff]);
    const d = toDelivery(record(wire.value, wire.headers, key), 1);
    assert.equal(d.malformed, undefined);
    assert.deepEqual(d.data, { n: 1 });
    assert.equal(d.key, 'k\uFFFD');
    assert.equal(d.raw?.key, key);
  });

  it('a record without a key is delivered with key ""', () => {
    const wire = encodeMessage(message);
    const keyless = { ...record(wire.value, wire.headers), key: undefined } as unknown as KafkaRecord;
    assert.equal(toDelivery(keyless, 1).key, '');
  });

  it('a CloudEvents header that is not UTF-8, or repeated, makes the record malformed', () => {
    const wire = encodeMessage(message);
    const binaryId = toDelivery(record(wire.value, { ...wire.headers, ce_id: Buffer.from([0xff]) }), 1);
    assert.equal(binaryId.malformed, 'CloudEvents headers that are not UTF-8 text: ce_id');
    const twice = toDelivery(record(wire.value, [...Object.entries(wire.headers), ['ce_id', 'other']]), 1);
    assert.equal(twice.malformed, 'repeated CloudEvents headers: ce_id');
  });

  it('another header that is binary or repeated is shown as text (last value wins), raw keeps every entry', () => {
    const wire = encodeMessage(message);
    const entries: Array<[string, string | Buffer]> = [
      ...Object.entries(wire.headers),
      ['x-bin', Buffer.from([0xfe])],
      ['x-twice', 'a'],
      ['x-twice', 'b'],
    ];
    const d = toDelivery(record(wire.value, entries), 1);
    assert.equal(d.malformed, undefined);
    assert.equal(d.headers['x-bin'], '\uFFFD');
    assert.equal(d.headers['x-twice'], 'b');
    assert.equal(d.raw?.headerEntries.filter(([n]) => n === 'x-twice').length, 2);
  });
});
