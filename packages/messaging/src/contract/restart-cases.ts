import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { spawnChildSubscriber } from './child-subscriber.ts';
import type { ContractContext } from './contract-context.ts';
import { scopedClients } from './contract-context.ts';
import { publishUntilAccepted } from './publishing.ts';
import { recorder } from './recorder.ts';
import { idsOf, newGroup, testMessages } from './test-messages.ts';
import { waitUntil, within } from './wait-until.ts';

/** Nothing is lost when a subscriber closes, a subscriber process dies, or the broker restarts. */
export function registerRestartCases(c: ContractContext): void {
  const tr = c.transport;

  void it(
    'continues in a new subscriber of the same group after a graceful close, nothing lost or repeated',
    c.options(),
    async (t) => {
      const { scope, publisher, subscriber, subscribe } = scopedClients(t, tr);
      const topic = await tr.newTopic();
      const group = newGroup('graceful');
      const sent = testMessages(300, { keys: 6 });
      const ids = idsOf(sent);
      await (await publisher()).publish(topic, sent);

      const first = recorder(() => delay(2));
      const firstSubscriber = await subscriber();
      const firstSubscription = await subscribe(firstSubscriber, topic, group, first.handler);
      await waitUntil(
        () => first.ackedIds().size >= 100,
        c.waitMs,
        () => `first subscriber: ${first.progress(ids)}`,
      );
      const inFlightAtClose = new Set(first.inFlight);
      await scope.closeNow(firstSubscription);
      await scope.closeNow(firstSubscriber);
      assert.equal(first.inFlight.size, 0, 'close resolved while a handler was still running');
      const eventsAtClose = first.events.length;
      const ackedByFirst = first.ackedIds();

      const second = recorder();
      await subscribe(await subscriber(), topic, group, second.handler);
      const seen = () => ids.filter((id) => ackedByFirst.has(id) || second.ackedIds().has(id)).length;
      await waitUntil(
        () => seen() === ids.length,
        c.waitMs,
        () => `${seen()}/${ids.length} seen by the group`,
      );

      assert.equal(first.events.length, eventsAtClose, 'the closed subscriber still received deliveries');
      const repeated = [...second.ackedIds()].filter(
        (id) => ackedByFirst.has(id) && !inFlightAtClose.has(id),
      );
      assert.deepEqual(
        repeated,
        [],
        'processed again after a graceful close although not in flight at close',
      );
    },
  );

  void it(
    'redelivers to a new member what a SIGKILLed subscriber process had not acked',
    c.options(),
    async (t) => {
      const { scope, publisher, subscriber, subscribe } = scopedClients(t, tr);
      const topic = await tr.newTopic();
      const group = newGroup('crash');
      const sent = testMessages(300, { keys: 6 });
      const ids = idsOf(sent);
      await (await publisher()).publish(topic, sent);

      const child = spawnChildSubscriber(tr.subscriberModule, { topic, group, handlerDelayMs: 5 });
      scope.defer(() => child.kill());
      await within(child.ready, c.waitMs, 'the child subscriber to subscribe');
      await waitUntil(
        () => child.processed.length >= 60,
        c.waitMs,
        () => `the child to process 60 messages (${child.processed.length}):\n${child.output()}`,
      );
      await child.kill();
      const byChild = new Set(child.processed);
      assert.ok(byChild.size < ids.length, 'the child processed everything before it was killed');

      const rec = recorder();
      await subscribe(await subscriber(), topic, group, rec.handler);
      const seen = () => ids.filter((id) => byChild.has(id) || rec.ackedIds().has(id)).length;
      await waitUntil(
        () => seen() === ids.length,
        c.waitMs,
        () => `${seen()}/${ids.length} processed by the group`,
      );
    },
  );

  void it(
    'delivers everything published before and after a broker restart',
    c.options('brokerRestart'),
    async (t) => {
      if (!tr.restartableBroker)
        throw new Error(`${tr.name} declares brokerRestart but has no restartableBroker`);
      const scoped = scopedClients(t, tr);
      const broker = scoped.scope.add(await tr.restartableBroker());
      const { publisher, subscriber, subscribe } = scoped.using(broker);
      const topic = await broker.newTopic();
      const rec = recorder(() => delay(2));
      await subscribe(await subscriber(), topic, newGroup('broker-restart'), rec.handler);
      const pub = await publisher();
      const before = testMessages(100, { keys: 4 });
      await pub.publish(topic, before);
      await waitUntil(() => rec.ackedIds().size > 0, c.waitMs, 'a first delivery before the restart');

      await broker.restart();
      const after = testMessages(100, { keys: 4 });
      await publishUntilAccepted(pub, topic, after, c.waitMs);

      const ids = idsOf([...before, ...after]);
      await waitUntil(
        () => rec.missing(ids).length === 0,
        c.waitMs,
        () => rec.progress(ids),
      );
    },
  );
}
