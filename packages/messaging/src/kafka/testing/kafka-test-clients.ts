import { randomUUID } from 'node:crypto';
import type { TransportClients } from '../../contract/transport-under-test.ts';
import { createKafkaPublisher } from '../kafka-publisher.ts';
import { createKafkaSubscriber } from '../kafka-subscriber.ts';
import type { KafkaSubscriberOptions } from '../kafka-subscriber-options.ts';
import { provisionTopics } from '../provision-topics.ts';

/** Kafka of the integration tests; `KAFKA_BROKERS` points them elsewhere. */
export const testBrokers = () => (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Subscriber settings of the tests: short backoffs and session so recovery fits a test's wait. */
export const TEST_SUBSCRIBER = {
  clientId: 'surge-contract',
  redeliveryBaseMs: 20,
  redeliveryMaxMs: 200,
  closeTimeoutMs: 5000,
  sessionTimeoutMs: 6000,
} satisfies Omit<KafkaSubscriberOptions, 'brokers'>;

/** Transport clients on the brokers at `brokers`; topics are `surge-test.<uuid>` with 3 partitions. */
export function kafkaClients(brokers: string[]): TransportClients {
  return {
    createPublisher: () =>
      Promise.resolve(createKafkaPublisher({ brokers, clientId: 'surge-contract', timeoutMs: 10_000 })),
    createSubscriber: () => Promise.resolve(createKafkaSubscriber({ brokers, ...TEST_SUBSCRIBER })),
    async newTopic() {
      const name = `surge-test.${randomUUID()}`;
      await provisionTopics({ brokers, clientId: 'surge-contract' }, [
        { name, partitions: 3, withDeadLetter: false },
      ]);
      return name;
    },
  };
}
