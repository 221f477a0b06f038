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
function record(value: string, headers: Record<string, string>): KafkaRecord {
  return {
    key: 'k',
    value,
    headers: new Map(Object.entries(headers)),
    headerEntries: Object.entries(headers),
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
    assert.deepEqual(toDelivery(record(wire.value, wire.headers), 3), {
      ...message,
      topic: 't',
      partition: 2,
      offset: '41',
      timestamp: 1_764_583_200_000,
      deliveryAttempt: 3,
    });
  });

  it('delivers a record that does not decode as malformed, with its raw value as data', () => {
    const d = toDelivery(record('not json', { ce_id: 'x' }), 1);
    assert.match(d.malformed ?? '', /missing CloudEvents headers/);
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
});
