import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TransientError } from '@surge/resilience';
import type { Delivery } from '../message.ts';
import { deduplicator, type DedupeStore } from './deduplicator.ts';
import { compose } from './middleware.ts';
import { currentTrace, traceContext } from './trace-context.ts';

const delivery = (id: string, headers: Record<string, string> = {}): Delivery => ({
  id,
  type: 't.v1',
  source: '/test',
  time: new Date(0).toISOString(),
  key: 'k',
  data: {},
  headers,
  topic: 't',
  partition: 0,
  offset: '0',
  timestamp: 0,
  deliveryAttempt: 1,
});
const signal = new AbortController().signal;

function memoryStore(): DedupeStore & { keys: Map<string, number> } {
  const keys = new Map<string, number>();
  return {
    keys,
    seen: (k) => Promise.resolve(keys.has(k)),
    remember: (k, ttl) => Promise.resolve(void keys.set(k, ttl)),
  };
}

describe('deduplicator', () => {
  it('runs each event id once per group, remembering it only after success', async () => {
    const store = memoryStore();
    const calls: string[] = [];
    let fail = true;
    const h = compose(
      async (d) => {
        calls.push(d.id);
        if (fail) throw new Error('first attempt fails');
        await Promise.resolve();
      },
      deduplicator({ store, group: 'g', ttlMs: 1000 }),
    );
    await assert.rejects(h(delivery('e1'), signal));
    assert.equal(store.keys.size, 0, 'a failed attempt must not be remembered');
    fail = false;
    await h(delivery('e1'), signal);
    await h(delivery('e1'), signal);
    await h(delivery('e2'), signal);
    assert.deepEqual(calls, ['e1', 'e1', 'e2']);
    assert.equal(store.keys.get('g:e1'), 1000);
  });

  it('another group processes the same event id independently', async () => {
    const store = memoryStore();
    let calls = 0;
    const handler = () => Promise.resolve(void calls++);
    await compose(handler, deduplicator({ store, group: 'a' }))(delivery('e'), signal);
    await compose(handler, deduplicator({ store, group: 'b' }))(delivery('e'), signal);
    assert.equal(calls, 2);
  });

  it('a store outage is transient: the delivery waits instead of risking a duplicate', async () => {
    const store: DedupeStore = {
      seen: () => Promise.reject(new Error('ECONNREFUSED')),
      remember: () => Promise.resolve(),
    };
    await assert.rejects(
      compose(() => Promise.resolve(), deduplicator({ store, group: 'g' }))(delivery('e'), signal),
      TransientError,
    );
  });
});

describe('traceContext', () => {
  it('continues the incoming trace id with a new span', async () => {
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    let seen: ReturnType<typeof currentTrace>;
    await compose(() => Promise.resolve(void (seen = currentTrace())), traceContext)(
      delivery('e', { traceparent: incoming }),
      signal,
    );
    assert.equal(seen?.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.match(seen?.traceparent ?? '', /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    assert.notEqual(seen?.traceparent, incoming);
    assert.equal(currentTrace(), undefined, 'the context ends with the handler');
  });

  it('starts a new trace when traceparent is missing or malformed', async () => {
    const ids: string[] = [];
    const h = compose(() => Promise.resolve(void ids.push(currentTrace()?.traceId ?? '')), traceContext);
    await h(delivery('a'), signal);
    await h(delivery('b', { traceparent: 'garbage' }), signal);
    assert.equal(ids.length, 2);
    for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
    assert.notEqual(ids[0], ids[1]);
  });
});
