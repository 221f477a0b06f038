import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BrokenCircuitError, BulkheadRejectedError } from 'cockatiel';
import { FatalError, isFatal, isTransient, TransientError } from './errors.ts';

describe('error markers', () => {
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
      new BrokenCircuitError(),
      new BulkheadRejectedError(1, 0),
      Object.assign(new Error('marked by a property only'), { transient: true }),
    ]) {
      assert.equal(isTransient(e), true, String(e));
    }
  });

  it('does not mark handler bugs, fatal errors or non-objects as transient', () => {
    for (const e of [
      new Error('boom'),
      new TypeError('x is undefined'),
      new FatalError('bad'),
      'string',
      null,
    ]) {
      assert.equal(isTransient(e), false, String(e));
    }
  });

  it("regression: mysql2's connection errors carry fatal: true, yet are transient and not fatal", () => {
    // worker-crash.int.test.ts under load: "connect ETIMEDOUT" (mysql2, fatal: true) was dead-lettered.
    for (const code of ['ETIMEDOUT', 'ECONNRESET', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT']) {
      const e = Object.assign(new Error(`mysql2 ${code}`), { code, errorno: code, fatal: true });
      assert.equal(isTransient(e), true, code);
      assert.equal(isFatal(e), false, code);
    }
  });

  it('does not loop on an error that is its own cause', () => {
    const e = new Error('self');
    (e as { cause?: unknown }).cause = e;
    assert.equal(isTransient(e), false);
  });

  it('marks errors with fatal = true as fatal, whatever their class', () => {
    class SchemaLike extends Error {
      readonly fatal = true;
    }
    assert.equal(isFatal(new FatalError('never')), true);
    assert.equal(isFatal(new SchemaLike('bad')), true);
    assert.equal(isFatal(new Error('boom')), false);
    assert.equal(isFatal(new TransientError('down')), false);
    assert.equal(isFatal(undefined), false);
  });
});
