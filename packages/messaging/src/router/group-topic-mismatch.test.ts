import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventRegistry } from '../events.ts';
import type { SubscribeOptions, Subscriber } from '../ports.ts';
import { createRouter } from './router.ts';
import { fakeRecordPublisher } from './testing/fake-record-publisher.ts';

function fakeSubscriber() {
  const subscribed: Array<Pick<SubscribeOptions, 'topic' | 'group'>> = [];
  const subscriber: Subscriber = {
    subscribe({ topic, group }) {
      subscribed.push({ topic, group });
      return Promise.resolve({ close: () => Promise.resolve() });
    },
    close: () => Promise.resolve(),
  };
  return { subscriber, subscribed };
}

const { publisher } = fakeRecordPublisher();
const handle = () => Promise.resolve();

/**
 * Regression (G7): three dead-letter recorders shared one group, each on its own `.dlt`
 * topic; Kafka gave most partitions to members that never fetch them and 8 of 9 dead letters
 * were never recorded. The router now refuses that configuration when it is built.
 */
describe('router: one consumer group, one topic', () => {
  it('refuses a second handler that uses a group on a different topic, naming both and why', async () => {
    const { subscriber, subscribed } = fakeSubscriber();
    const router = createRouter({ subscriber, publisher, registry: new EventRegistry([]) });
    router.addHandler({ name: 'dead-letters:users', topic: 'users.dlt', group: 'recorder', handle });

    assert.throws(
      () =>
        router.addHandler({ name: 'dead-letters:orders', topic: 'orders.dlt', group: 'recorder', handle }),
      (err: unknown) => {
        assert.ok(err instanceof Error);
        const e = err as Error & { code?: string; group?: string; topics?: readonly string[] };
        assert.equal(e.code, 'E_GROUP_TOPIC_MISMATCH');
        assert.equal(e.group, 'recorder');
        assert.deepEqual(e.topics, ['users.dlt', 'orders.dlt']);
        for (const part of [
          '"recorder"',
          '"dead-letters:users"',
          '"dead-letters:orders"',
          '"users.dlt"',
          '"orders.dlt"',
        ])
          assert.ok(e.message.includes(part), `message names ${part}: ${e.message}`);
        assert.match(e.message, /never consumed/);
        return true;
      },
    );

    // The refused handler was not added: starting subscribes only the first one.
    await router.start();
    assert.deepEqual(subscribed, [{ topic: 'users.dlt', group: 'recorder' }]);
  });

  it('accepts one group per topic, and several groups on one topic', async () => {
    const { subscriber, subscribed } = fakeSubscriber();
    const router = createRouter({ subscriber, publisher, registry: new EventRegistry([]) });
    router.addHandler({ name: 'notifications', topic: 'users', group: 'notifications', handle });
    router.addHandler({ name: 'audit', topic: 'users', group: 'audit', handle });
    router.addHandler({
      name: 'dead-letters:users',
      topic: 'users.dlt',
      group: 'recorder.users.dlt',
      handle,
    });
    router.addHandler({
      name: 'dead-letters:orders',
      topic: 'orders.dlt',
      group: 'recorder.orders.dlt',
      handle,
    });
    await router.start();
    assert.equal(subscribed.length, 4);
  });

  it('accepts two handlers sharing a group on the same topic (they split its partitions)', () => {
    const { subscriber } = fakeSubscriber();
    const router = createRouter({ subscriber, publisher, registry: new EventRegistry([]) });
    router.addHandler({ name: 'a', topic: 'users', group: 'g', handle });
    assert.doesNotThrow(() => router.addHandler({ name: 'b', topic: 'users', group: 'g', handle }));
  });
});
