import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeMessage } from '../cloudevents.ts';
import { fieldsToRecord, recordToFields } from './stream-fields.ts';
import { streamIdTimestamp, toDelivery } from './stream-delivery.ts';

const message = {
  id: '0190a5b4-7c3e-7000-8000-000000000001',
  type: 'surge.order.placed.v1',
  source: '/surge/shop',
  time: '2026-05-01T12:00:00.000Z',
  subject: 'order-1',
  key: 'order-1',
  data: { quantity: 2, note: 'ünï' },
  headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
};

describe('stream entry fields', () => {
  it('stores key, value and one h:-prefixed field per header', () => {
    const fields = recordToFields({ key: 'k', value: '{"a":1}', headers: { ce_id: 'x', traceparent: 't' } });
    assert.deepEqual(fields, ['key', 'k', 'value', '{"a":1}', 'h:ce_id', 'x', 'h:traceparent', 't']);
  });

  it('round-trips any record, including header names that look like the reserved fields', () => {
    const text = fc.string({ maxLength: 20 });
    fc.assert(
      fc.property(text, text, fc.dictionary(text, text), (key, value, headers) => {
        const record = { key, value, headers: { ...headers, key: 'header', value: 'header' } };
        assert.deepEqual(fieldsToRecord(recordToFields(record)), record);
      }),
    );
  });

  it("ignores another producer's fields and reads missing key/value as empty", () => {
    assert.deepEqual(fieldsToRecord(['other', '1', 'h:a', 'b']), { key: '', value: '', headers: { a: 'b' } });
  });
});

describe('delivery of an entry', () => {
  const entry = (fields: string[]) => ({ id: '1714564800000-3', fields, attempt: 2, handled: false });

  it('decodes the CloudEvent and adds partition 0, the id as offset and its time as timestamp', () => {
    const d = toDelivery('orders', entry(recordToFields(encodeMessage(message))));
    assert.deepEqual(d, {
      ...message,
      topic: 'orders',
      partition: 0,
      offset: '1714564800000-3',
      timestamp: 1714564800000,
      deliveryAttempt: 2,
    });
  });

  it('delivers an entry that does not decode as malformed, with its raw value', () => {
    const d = toDelivery('orders', entry(['key', 'k', 'value', 'not json', 'h:ce_id', 'id-1']));
    assert.match(d.malformed ?? '', /missing CloudEvents headers/);
    assert.equal(d.data, 'not json');
    assert.equal(d.id, 'id-1');
    assert.equal(d.offset, '1714564800000-3');
  });

  it('reads the millisecond part of a stream id', () => {
    assert.equal(streamIdTimestamp('1526919030474-55'), 1526919030474);
  });
});
