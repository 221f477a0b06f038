import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnexpectedScriptReplyError } from '../scripts/reply-codes.ts';
import { parseAcquireReply } from './idempotency-scripts.ts';

const b = (s: string) => Buffer.from(s);

describe('parseAcquireReply', () => {
  it('maps each reply of idempotency-acquire-1.lua to its outcome', () => {
    assert.deepEqual(parseAcquireReply([b('ACQUIRED'), 2, 1, b('order-1')]), {
      kind: 'acquired',
      attempt: 2,
      firstAttempt: 'order-1',
    });
    assert.deepEqual(parseAcquireReply([b('ACQUIRED'), 1, 0, b('')]), {
      kind: 'acquired',
      attempt: 1,
      firstAttempt: undefined,
    });
    assert.deepEqual(parseAcquireReply([b('IN_PROGRESS'), 1234]), { kind: 'inProgress', retryAfterMs: 1234 });
    assert.deepEqual(parseAcquireReply([b('MISMATCH')]), { kind: 'mismatch' });
    const replay = parseAcquireReply([b('REPLAY'), 202, b('{"location":"/x"}'), Buffer.from([0xff])]);
    assert.deepEqual(replay, {
      kind: 'replay',
      response: { status: 202, headers: { location: '/x' }, body: Buffer.from([0xff]) },
    });
  });

  it('throws UnexpectedScriptReplyError on anything else', () => {
    for (const reply of [
      'ACQUIRED',
      [b('NOPE')],
      [b('ACQUIRED'), '1', 0, b('')],
      [b('ACQUIRED'), 1, 2, b('')],
      [b('IN_PROGRESS')],
      [b('REPLAY'), 200, b('not json'), b('')],
      [b('REPLAY'), 200, b('{"a":1}'), b('')],
      [b('REPLAY'), 200, b('[]'), b('')],
      [b('REPLAY'), 200, b('{}'), 'a string body'],
    ])
      assert.throws(() => parseAcquireReply(reply), UnexpectedScriptReplyError, JSON.stringify(reply));
  });
});
