import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Delivery } from '../message.ts';
import { recorder } from './recorder.ts';

const delivery = (id: string): Delivery => ({
  id,
  type: 't',
  source: 's',
  time: '2026-01-01T00:00:00Z',
  key: 'k',
  data: null,
  headers: {},
  topic: 'topic',
  partition: 0,
  offset: '0',
  timestamp: 0,
  deliveryAttempt: 1,
});
const signal = new AbortController().signal;

describe('recorder', () => {
  it('records starts, acks and rejects in order and rethrows the rejection', async () => {
    const rec = recorder((d) => {
      if (d.id === 'bad') throw new Error('no');
    });
    await rec.handler(delivery('a'), signal);
    await assert.rejects(rec.handler(delivery('bad'), signal), /no/);
    assert.deepEqual(
      rec.events.map((e) => `${e.kind}:${e.delivery.id}`),
      ['start:a', 'ack:a', 'start:bad', 'reject:bad'],
    );
    assert.deepEqual(rec.missing(['a', 'bad']), ['bad']);
    assert.equal(rec.progress(['a', 'bad']), '1/2 acked, missing e.g. bad');
    assert.equal(rec.inFlight.size, 0);
  });

  it('notices two concurrent calls for the same id', async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const rec = recorder(() => gate);
    const first = rec.handler(delivery('x'), signal);
    const second = rec.handler(delivery('x'), signal);
    assert.deepEqual([...rec.inFlight], ['x']);
    release();
    await Promise.all([first, second]);
    assert.deepEqual([...rec.overlaps], ['x']);
    assert.equal(rec.inFlight.size, 0);
  });
});
