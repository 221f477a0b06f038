import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBatchingPublisher, PublishAbortedError } from './batching-publisher.ts';
import type { Message } from './message.ts';
import type { Publisher } from './ports.ts';

const msg = (id: string): Message => ({
  id,
  type: 't',
  source: '/s',
  time: '',
  key: id,
  data: {},
  headers: {},
});

function recordingPublisher(fail?: Error) {
  const calls: Array<{ topic: string; ids: string[] }> = [];
  const acks: Array<() => void> = [];
  const inner: Publisher = {
    publish(topic, messages) {
      calls.push({ topic, ids: messages.map((m) => m.id) });
      if (fail) return Promise.reject(fail);
      return new Promise<void>((resolve) => acks.push(resolve));
    },
    close: () => Promise.resolve(),
  };
  /** Acknowledges the `i`-th send. */
  return { inner, calls, ack: (i = 0) => acks[i]?.() };
}

describe('batching publisher (concurrent publishes share one send)', () => {
  it('sends what concurrent callers publish in one call per topic, and settles each on the ack', async () => {
    const { inner, calls, ack } = recordingPublisher();
    const pub = createBatchingPublisher(inner);
    const settled: string[] = [];
    const all = ['a', 'b', 'c'].map((id) => pub.publish('orders', [msg(id)]).then(() => settled.push(id)));
    const other = pub.publish('users', [msg('u')]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, [
      { topic: 'orders', ids: ['a', 'b', 'c'] },
      { topic: 'users', ids: ['u'] },
    ]);
    assert.deepEqual(settled, [], 'nobody is answered before the ack');
    ack(1); // the users batch
    await other;
    assert.deepEqual(settled, [], 'another batch’s ack answers nobody here');
    ack(0);
    await Promise.all(all);
    assert.deepEqual(settled, ['a', 'b', 'c']);
  });

  it('cuts a batch at maxBatchMessages', async () => {
    const { inner, calls } = recordingPublisher();
    const pub = createBatchingPublisher(inner, { maxBatchMessages: 2 });
    for (const id of ['a', 'b', 'c']) void pub.publish('t', [msg(id)]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      calls.map((c) => c.ids),
      [['a', 'b'], ['c']],
    );
  });

  it('rejects every caller of a failed batch with its error', async () => {
    const boom = new Error('broker down');
    const pub = createBatchingPublisher(recordingPublisher(boom).inner);
    const results = await Promise.allSettled([pub.publish('t', [msg('a')]), pub.publish('t', [msg('b')])]);
    assert.deepEqual(
      results.map((r): unknown => (r.status === 'rejected' ? r.reason : 'ok')),
      [boom, boom],
    );
  });

  it('lets a caller stop waiting; the others of its batch still get their ack', async () => {
    const { inner, ack } = recordingPublisher();
    const pub = createBatchingPublisher(inner);
    const stop = new AbortController();
    const gaveUp = pub.publish('t', [msg('a')], { signal: stop.signal });
    const waits = pub.publish('t', [msg('b')]);
    await new Promise((r) => setImmediate(r));
    stop.abort();
    await assert.rejects(gaveUp, PublishAbortedError);
    ack();
    await waits;
  });
});
