import { after } from 'node:test';
import { runTransportContract } from '../contract/transport-contract.ts';
import { throwawayRedis, testRedisUrl } from '@surge/test-support';
import { redisStreamsClients, TEST_SUBSCRIBER } from './testing/test-clients.ts';

const shared = redisStreamsClients(testRedisUrl());
after(() => shared.cleanup());

runTransportContract({
  name: 'redis-streams',
  features: {
    // One stream is one partition: a held entry holds up its whole stream for that member.
    multiplePartitions: false,
    deliveryAttempt: true,
    // Members of a group share one stream's entries, whatever their keys.
    keyOrderAcrossMembers: false,
    brokerRestart: true,
  },
  createPublisher: shared.createPublisher,
  createSubscriber: shared.createSubscriber,
  newTopic: shared.newTopic,
  subscriberModule: new URL('./testing/child-subscriber.ts', import.meta.url),
  slowHandlerMs: TEST_SUBSCRIBER.claimIdleMs * 2,
  waitTimeoutMs: 15_000,
  async restartableBroker() {
    const server = await throwawayRedis({ appendOnly: true });
    const clients = redisStreamsClients(server.url);
    return {
      createPublisher: clients.createPublisher,
      createSubscriber: clients.createSubscriber,
      newTopic: clients.newTopic,
      restart: () => server.restart(),
      close: () => server.stop(),
    };
  },
});
