import { runTransportContract } from '../contract/transport-contract.ts';
import { kafkaClients, TEST_SUBSCRIBER, testBrokers } from './testing/kafka-test-clients.ts';
import { throwawayKafka } from '@surge/test-support';

const shared = kafkaClients(testBrokers());

runTransportContract({
  name: 'kafka',
  features: {
    multiplePartitions: true,
    deliveryAttempt: true,
    keyOrderAcrossMembers: true,
    brokerRestart: true,
  },
  ...shared,
  subscriberModule: new URL('./testing/child-subscriber.ts', import.meta.url),
  // Longer than the group session: a busy member must not be mistaken for a dead one.
  slowHandlerMs: TEST_SUBSCRIBER.sessionTimeoutMs + 2000,
  waitTimeoutMs: 45_000,
  async restartableBroker() {
    const broker = throwawayKafka(29392);
    await broker.up();
    return {
      ...kafkaClients(broker.brokers),
      restart: () => broker.restart(),
      close: () => broker.down().then(() => undefined),
    };
  },
});
