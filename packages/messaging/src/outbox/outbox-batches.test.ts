import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../message.ts';
import { seqSpan, toPublishRuns, type UnsentRow } from './outbox-batches.ts';
import { CorruptOutboxRowError, decodeOutboxMessage, encodeOutboxMessage } from './outbox-codec.ts';

const message = (id: string, key = 'k'): Message => ({
  id,
  type: 'surge.test.v1',
  source: '/test',
  time: '2026-01-01T00:00:00.000Z',
  key,
  data: { id },
  headers: { traceparent: 'tp' },
});
const row = (seq: number, topic: string): UnsentRow => ({
  seq,
  topic,
  message: encodeOutboxMessage(message(`m${seq}`)),
});

describe('toPublishRuns', () => {
  it('groups consecutive rows of one topic and starts a new run whenever the topic changes', () => {
    const rows = [row(1, 'a'), row(2, 'a'), row(3, 'b'), row(4, 'a'), row(5, 'a')];
    const { runs, corrupt } = toPublishRuns(rows, 1 << 20);
    assert.equal(corrupt, undefined);
    assert.deepEqual(
      runs.map((r) => [r.topic, r.seqs]),
      [
        ['a', [1, 2]],
        ['b', [3]],
        ['a', [4, 5]],
      ],
    );
    assert.deepEqual(
      runs.flatMap((r) => r.messages.map((m) => m.id)),
      ['m1', 'm2', 'm3', 'm4', 'm5'],
    );
  });

  it('splits a run that would exceed maxBytes, but always puts at least one row in a run', () => {
    const rows = [row(1, 'a'), row(2, 'a'), row(3, 'a')];
    const one = Buffer.byteLength(rows[0]?.message ?? '');
    assert.deepEqual(
      toPublishRuns(rows, one * 2).runs.map((r) => r.seqs),
      [[1, 2], [3]],
    );
    assert.deepEqual(
      toPublishRuns(rows, 1).runs.map((r) => r.seqs),
      [[1], [2], [3]],
    );
  });

  it('stops at the first corrupt row so later rows cannot overtake it', () => {
    const rows = [row(1, 'a'), { seq: 2, topic: 'a', message: '{not json' }, row(3, 'a')];
    const { runs, corrupt } = toPublishRuns(rows, 1 << 20);
    assert.deepEqual(
      runs.map((r) => r.seqs),
      [[1]],
    );
    assert.equal(corrupt?.seq, 2);
    assert.ok(corrupt.error instanceof CorruptOutboxRowError);
  });

  it('returns no runs for no rows', () => {
    assert.deepEqual(toPublishRuns([], 100), { runs: [] });
  });
});

describe('outbox codec', () => {
  it('round-trips a message and keeps only Message fields', () => {
    const m = { ...message('x'), subject: 'order/1', topic: 'leaked', partition: 3 };
    const back = decodeOutboxMessage(encodeOutboxMessage(m));
    assert.deepEqual(back, { ...message('x'), subject: 'order/1' });
  });

  it('rejects JSON that is not a stored message', () => {
    assert.throws(() => decodeOutboxMessage('{"id":"x"}'), CorruptOutboxRowError);
    assert.throws(() => decodeOutboxMessage('null'), CorruptOutboxRowError);
  });
});

describe('seqSpan', () => {
  it('spans numbers and big-number strings, in any order', () => {
    assert.equal(seqSpan([]), undefined);
    assert.deepEqual(seqSpan([7, 3, 5]), { from: 3n, to: 7n });
    assert.deepEqual(seqSpan(['9007199254740993', 4]), { from: 4n, to: 9007199254740993n });
  });
});
