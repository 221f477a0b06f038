import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CE, decodeMessage, encodeMessage, MalformedRecordError } from './cloudevents.ts';
import type { Message } from './message.ts';

const message: Message = {
  id: '0190a1b2-0000-7000-8000-000000000001',
  type: 'surge.order.placed.v1',
  source: '/surge/shop',
  time: '2026-12-01T10:00:00.000Z',
  subject: 'order-1',
  key: 'sku-1',
  data: { orderId: 'order-1', quantity: 2 },
  headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
};

describe('decodeMessage', () => {
  it('decodes what encodeMessage encoded, every attribute intact', () => {
    assert.deepEqual(decodeMessage(encodeMessage(message)), message);
  });

  it('has no subject key when the record has no ce_subject', () => {
    const { subject: _subject, ...withoutSubject } = message;
    const decoded = decodeMessage(encodeMessage(withoutSubject));
    assert.equal('subject' in decoded, false);
    assert.deepEqual(decoded, withoutSubject);
  });

  it('keeps only the non-CloudEvents headers in headers', () => {
    const wire = encodeMessage(message);
    assert.deepEqual(Object.keys(decodeMessage(wire).headers), ['traceparent']);
  });

  it('names every missing required attribute', () => {
    const wire = encodeMessage(message);
    delete wire.headers[CE.id];
    delete wire.headers[CE.time];
    assert.throws(
      () => decodeMessage(wire),
      (err: unknown) =>
        err instanceof MalformedRecordError && err.message === 'missing CloudEvents headers: ce_id, ce_time',
    );
  });

  it('rejects another specversion and a value that is not JSON', () => {
    const wrongVersion = encodeMessage(message);
    wrongVersion.headers[CE.specversion] = '0.3';
    assert.throws(() => decodeMessage(wrongVersion), /unsupported ce_specversion 0.3/);
    assert.throws(() => decodeMessage({ ...encodeMessage(message), value: '{' }), /not JSON/);
  });
});
