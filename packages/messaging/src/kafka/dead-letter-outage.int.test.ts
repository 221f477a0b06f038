// G7 and issue 8: a dead letter that cannot be published because the broker is down is neither
// dropped nor sent to the last resort. Its record stays uncommitted, the publish retries for as
// long as the outage lasts, and once the broker is back the copy lands and the partition moves on.
// A throwaway broker of this test's own (stopped mid-test), never the shared one.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { Registry } from 'prom-client';
import { Type } from 'typebox';
import { FatalError, withTimeout } from '@surge/resilience';
import { produceRaw, readRaw, throwawayKafka } from '@surge/test-support';
import { waitUntil } from '../contract/wait-until.ts';
import { DLT, deadLetterTopic } from '../dead-letter-headers.ts';
import { defineEvent, EventRegistry } from '../events.ts';
import type { UndeliverableDeadLetter } from '../router/dead-letter.ts';
import { createMessagingMetrics } from '../router/metrics.ts';
import { createRouter } from '../router/router.ts';
import { createKafkaPublisher } from './kafka-publisher.ts';
import { createKafkaSubscriber } from './kafka-subscriber.ts';
import { provisionTopics } from './provision-topics.ts';
import { TEST_SUBSCRIBER } from './testing/kafka-test-clients.ts';

const Poked = defineEvent({ type: 'test.poked.v1', topic: 'unused', schema: Type.Object({}) });

/** This test's own broker (controller on the next port); no other test uses these. */
const PORT = 29492;

describe('kafka: a dead letter during a broker outage waits for the broker, committing nothing', () => {
  const kafka = throwawayKafka(PORT);
  const topic = `surge-test.dlt-outage.${randomUUID()}`;
  const registry = new Registry();
  const lastResorts: UndeliverableDeadLetter[] = [];
  const group = `dlt-outage-${randomUUID()}`;
  let router: ReturnType<typeof createRouter> | undefined;
  let close: () => Promise<void> = () => Promise.resolve();
  /** Set while the test has the broker stopped: a failing test must still leave it up to close. */
  let stopped = false;

  before(
    async () => {
      await kafka.up();
      await provisionTopics({ brokers: kafka.brokers, clientId: 'dlt-outage' }, [
        { name: topic, partitions: 1 },
      ]);
    },
    { timeout: 240_000 },
  );
  after(
    async () => {
      if (stopped) await kafka.up();
      await withTimeout(() => close(), 30_000).catch(() => {});
      // The broker's data outlives the run: leave no topics behind in it.
      const admin = new Admin({ clientId: 'dlt-outage', bootstrapBrokers: kafka.brokers, timeout: 10_000 });
      await admin.deleteTopics({ topics: [topic, deadLetterTopic(topic)] }).catch(() => {});
      await admin.close().catch(() => {});
      await kafka.down();
    },
    { timeout: 120_000 },
  );

  it(
    'the record stays uncommitted while the broker is down; its copy lands once it is back',
    { timeout: 300_000 },
    async (t) => {
      const brokers = kafka.brokers;
      const publisher = createKafkaPublisher({ brokers, clientId: 'dlt-outage', timeoutMs: 3000 });
      const subscriber = createKafkaSubscriber({ brokers, ...TEST_SUBSCRIBER, metrics: registry });
      close = async () => {
        await router?.close();
        await subscriber.close();
        await publisher.close();
      };
      // The handler fails for good only once the test has stopped the broker.
      const brokerDown = Promise.withResolvers<void>();
      router = createRouter({
        subscriber,
        publisher,
        registry: new EventRegistry([Poked]),
        metrics: createMessagingMetrics(registry),
        lastResort: (l) => (lastResorts.push(l), Promise.resolve()),
      });
      router.addHandler({
        name: 'fails-in-outage',
        topic,
        group,
        handle: async () => {
          await brokerDown.promise;
          throw new FatalError('poison, found while the broker is down');
        },
        validate: false,
      });
      await router.start();
      const [offset] = await produceRaw(brokers, topic, [
        { partition: 0, key: Buffer.from('k'), value: Buffer.from('v') },
      ]);

      stopped = true;
      await kafka.down();
      t.diagnostic('broker stopped; the handler now fails and its dead letter cannot be published');
      brokerDown.resolve();
      await waitUntil(
        async () => /kind="transient"\} [1-9]/.test(await registry.metrics()),
        60_000,
        'a transient dead-letter publish failure',
      );
      assert.equal(lastResorts.length, 0, 'an outage never sends a dead letter to the last resort');

      await kafka.up();
      stopped = false;
      t.diagnostic('broker back');
      let committed = -1n;
      await waitUntil(
        async () => {
          const admin = new Admin({ clientId: 'dlt-outage', bootstrapBrokers: brokers, timeout: 5000 });
          try {
            const [g] = await admin.listConsumerGroupOffsets({ groups: [group] });
            committed = g?.topics.find((x) => x.name === topic)?.partitions[0]?.committedOffset ?? -1n;
          } catch {
            committed = -1n;
          } finally {
            await admin.close().catch(() => {});
          }
          return committed === offset! + 1n;
        },
        120_000,
        () => `committed ${committed}`,
      );
      const dlt = await readRaw(brokers, deadLetterTopic(topic));
      assert.deepEqual(
        dlt.map((r) => [r.value?.toString(), r.headers.find(([k]) => k === DLT.offset)?.[1].toString()]),
        [['v', String(offset)]],
        'one copy, byte for byte',
      );
      assert.equal(lastResorts.length, 0);
    },
  );
});
