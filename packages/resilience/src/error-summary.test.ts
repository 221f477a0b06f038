import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorSummary } from './error-summary.ts';

const refused = () =>
  Object.assign(new Error('Connection to 127.0.0.1:9092 failed.'), {
    code: 'PLT_KFK_NETWORK',
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' }),
  });

describe('errorSummary', () => {
  it('names what failed and, once, the root cause of nested aggregate errors', () => {
    // The shape of @platformatic/kafka's "Listing topics failed." while the broker is down.
    const perTry = () => new AggregateError([refused()], 'Cannot connect to any broker.');
    const err = new AggregateError(
      [new AggregateError([perTry(), perTry(), perTry(), perTry()], 'metadata failed 4 times.')],
      'Listing topics failed.',
    );
    assert.equal(errorSummary(err), 'Listing topics failed. ← connect ECONNREFUSED 127.0.0.1:9092');
  });

  it('adds a code the message does not already carry', () => {
    const err = new Error('query failed', {
      cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    });
    assert.equal(errorSummary(err), 'query failed ← socket hang up (ECONNRESET)');
  });

  it('is the message alone for an error without causes, and bounded', () => {
    assert.equal(errorSummary(new Error('boom')), 'boom');
    assert.equal(errorSummary('plain'), 'plain');
    const long = errorSummary(new Error('x'.repeat(1000)), 50);
    assert.equal(long.length, 50);
    assert.ok(long.endsWith('…'));
  });

  it('survives a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    assert.equal(typeof errorSummary(a), 'string');
  });
});
