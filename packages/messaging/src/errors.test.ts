import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FatalError, isFatal, isTransient, SchemaError, TransientError } from './errors.ts';

describe('error classification', () => {
  it('marks dependency outages as transient, however deeply the driver nests them', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' });
    // @platformatic/kafka reports a stopped broker as an AggregateError wrapping the socket error.
    const aggregate = new AggregateError([new Error('wrapper', { cause: refused })], 'Multiple errors');
    for (const e of [
      new TransientError('x'),
      refused,
      new Error('outer', { cause: refused }),
      aggregate,
      Object.assign(new Error('lost'), { code: 'PROTOCOL_CONNECTION_LOST' }),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    ]) {
      assert.equal(isTransient(e), true, String(e));
    }
  });

  it('does not mark handler bugs or poison as transient', () => {
    for (const e of [
      new Error('boom'),
      new TypeError('x is undefined'),
      new SchemaError('bad'),
      'string',
      null,
    ]) {
      assert.equal(isTransient(e), false, String(e));
    }
  });

  it('marks schema errors, fatal errors and malformed records as fatal', () => {
    assert.equal(isFatal(new SchemaError('bad')), true);
    assert.equal(isFatal(new FatalError('never')), true);
    assert.equal(isFatal(Object.assign(new Error('x'), { code: 'E_MALFORMED_RECORD' })), true);
    assert.equal(isFatal(new Error('boom')), false);
  });
});
