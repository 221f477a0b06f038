import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replyCodes, UnexpectedScriptReplyError } from './reply-codes.ts';

describe('replyCodes', () => {
  const check = replyCodes('check-1', { 1: 'maybe', 0: 'absent', '-1': 'not-built' });
  const rotate = replyCodes('rotate-2', { ROTATED: 'rotated', REUSED: 'reused', UNKNOWN: 'unknown' });

  it('maps integer and status-string codes to their names', () => {
    assert.deepEqual([1, 0, -1].map(check), ['maybe', 'absent', 'not-built']);
    assert.equal(rotate('REUSED'), 'reused');
  });

  it('throws UnexpectedScriptReplyError, naming the script and the reply, on anything else', () => {
    for (const reply of [2, '2x', null, undefined, [1], { 1: 1 }, 'rotated']) {
      assert.throws(
        () => (typeof reply === 'string' ? rotate(reply) : check(reply)),
        (e: unknown) =>
          e instanceof UnexpectedScriptReplyError && e.code === 'E_SCRIPT_REPLY' && e.reply === reply,
        JSON.stringify(reply) ?? 'undefined',
      );
    }
    assert.throws(() => check(7), /check-1: unexpected reply 7/);
  });
});
