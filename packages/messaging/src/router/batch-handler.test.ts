import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'typebox';
import { defineEvent, EventRegistry } from '../events.ts';
import type { Delivery } from '../message.ts';
import type { SubscribeOptions, Subscriber } from '../ports.ts';
import { SchemaError } from '../schema-error.ts';
import { createRouter } from './router.ts';
import { fakeRecordPublisher } from './testing/fake-record-publisher.ts';

const Placed = defineEvent({
  type: 'test.placed.v1',
  topic: 'test.orders',
  schema: Type.Object({ orderId: Type.String() }, { additionalProperties: false }),
});

const delivery = (orderId: string, over: Partial<Delivery> = {}): Delivery => ({
  ...Placed.create({ orderId }, { key: orderId, source: '/test' }),
  topic: 'test.orders',
  partition: 0,
  offset: '1',
  timestamp: 1_700_000_000_000,
  deliveryAttempt: 1,
  ...over,
});

function fakeSubscriber() {
  const subscribed: SubscribeOptions[] = [];
  const subscriber: Subscriber = {
    subscribe(opts) {
      subscribed.push(opts);
      return Promise.resolve({ close: () => Promise.resolve() });
    },
    close: () => Promise.resolve(),
  };
  return { subscriber, subscribed };
}

const { publisher } = fakeRecordPublisher();
const signal = new AbortController().signal;
const handle = () => Promise.resolve();

describe('router: batch handlers', () => {
  it('passes a handler’s handleBatch to the transport with its maxBatch, validating every delivery first', async () => {
    const { subscriber, subscribed } = fakeSubscriber();
    const router = createRouter({ subscriber, publisher, registry: new EventRegistry([Placed]) });
    const batches: string[][] = [];
    router.addHandler({
      name: 'writer',
      topic: 'test.orders',
      group: 'writer',
      handle,
      handleBatch: async (ds) => {
        batches.push(ds.map((d) => (d.data as { orderId: string }).orderId));
        await Promise.resolve();
      },
      maxBatch: 7,
    });
    await router.start();
    const batch = subscribed[0]?.batch;
    assert.ok(batch, 'the subscription gets a batch handler');
    assert.equal(batch.maxRecords, 7);
    await batch.handler([delivery('a'), delivery('b')], signal);
    assert.deepEqual(batches, [['a', 'b']]);

    // One delivery that fails its schema: the batch is refused (the transport then runs each
    // through the one-record stack, which dead-letters that one) and handleBatch never sees it.
    const invalid = delivery('c', { data: { orderId: 3 } });
    await assert.rejects(batch.handler([delivery('d'), invalid], signal), SchemaError);
    const malformed = delivery('e', { malformed: 'value is not JSON' });
    await assert.rejects(batch.handler([malformed, delivery('f')], signal), SchemaError);
    assert.deepEqual(batches, [['a', 'b']]);
  });

  it('gives a handler without handleBatch no batch, and refuses handleBatch with middlewares', async () => {
    const { subscriber, subscribed } = fakeSubscriber();
    const router = createRouter({ subscriber, publisher, registry: new EventRegistry([Placed]) });
    router.addHandler({ name: 'plain', topic: 'test.orders', group: 'plain', handle });
    assert.throws(
      () =>
        router.addHandler({
          name: 'deduped',
          topic: 'test.orders',
          group: 'deduped',
          handle,
          handleBatch: () => Promise.resolve(),
          middlewares: [(next) => next],
        }),
      /handleBatch cannot be combined with middlewares/,
    );
    await router.start();
    assert.equal(subscribed.length, 1);
    assert.equal(subscribed[0]?.batch, undefined);
  });
});
