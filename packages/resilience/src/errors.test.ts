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

  it('marks the outage errors of mysql2, ioredis and Kafka that reach a route as transient (issue 8)', () => {
    const coded = (message: string, code: string, extra: object = {}) =>
      Object.assign(new Error(message), { code, ...extra });
    for (const e of [
      // mysql2: refused, reset, lost, connect timeout, query timeout, a connection already dead
      coded('connect ECONNREFUSED 127.0.0.1:3306', 'ECONNREFUSED', { fatal: true }),
      coded('read ECONNRESET', 'ECONNRESET', { fatal: true }),
      coded('Connection lost: The server closed the connection.', 'PROTOCOL_CONNECTION_LOST', {
        fatal: true,
      }),
      coded('connect ETIMEDOUT', 'ETIMEDOUT', { errorno: 'ETIMEDOUT', fatal: true }),
      coded('Query inactivity timeout', 'PROTOCOL_SEQUENCE_TIMEOUT'),
      Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true }),
      new Error("Can't write in closed state"),
      coded('Server shutdown in progress', 'ER_SERVER_SHUTDOWN'),
      // ioredis: command timeout, retry limit, offline queue off, closed connection
      new Error('Command timed out'),
      Object.assign(
        new Error(
          'Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.',
        ),
        { name: 'MaxRetriesPerRequestError' },
      ),
      new Error('Connection is closed.'),
      // @platformatic/kafka
      coded('Connection to 127.0.0.1:9092 failed.', 'PLT_KFK_NETWORK'),
      coded('getaddrinfo EAI_AGAIN broker', 'EAI_AGAIN'),
    ]) {
      assert.equal(isTransient(e), true, e.message);
    }
  });

  it('does not mark handler bugs, fatal errors or non-objects as transient', () => {
    for (const e of [
      new Error('boom'),
      new TypeError('x is undefined'),
      new FatalError('bad'),
      Object.assign(new Error("Duplicate entry 'x' for key 'email'"), { code: 'ER_DUP_ENTRY', fatal: false }),
      Object.assign(new Error('You have an error in your SQL syntax'), { code: 'ER_PARSE_ERROR' }),
      new Error('WRONGTYPE Operation against a key holding the wrong kind of value'),
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
