import { randomUUID } from 'node:crypto';
import type { TransportClients } from '../../contract/transport-under-test.ts';
import { closeRedis, openRedis } from '../connection.ts';
import { createRedisStreamsPublisher } from '../publisher.ts';
import { createRedisStreamsSubscriber } from '../subscriber.ts';
import type { RedisStreamsSubscriberOptions } from '../subscriber-options.ts';

/**
 * Subscriber settings of the tests: short blocks, claims and backoffs so crash recovery and
 * redelivery happen within a test's wait budget.
 */
export const TEST_SUBSCRIBER = {
  blockMs: 500,
  claimIdleMs: 1000,
  batchSize: 20,
  commandTimeoutMs: 2000,
  redeliveryBaseMs: 20,
  redeliveryMaxMs: 200,
  closeTimeoutMs: 5000,
} satisfies Omit<RedisStreamsSubscriberOptions, 'url'>;

const connection = (url: string, name: string) =>
  openRedis(url, { name, commandTimeoutMs: 2000, connectTimeoutMs: 2000 }, () => {});

/**
 * Transport clients on the Redis at `url`. Streams are named `surge-test:<uuid>` and deleted by
 * `cleanup`, so test files can share the server.
 */
export function redisStreamsClients(url: string): TransportClients & { cleanup(): Promise<void> } {
  const streams: string[] = [];
  return {
    async createPublisher() {
      const redis = await connection(url, 'surge-test-publisher');
      const publisher = createRedisStreamsPublisher({ redis });
      return {
        publish: (topic, messages, o) => publisher.publish(topic, messages, o),
        async close() {
          await publisher.close();
          await closeRedis(redis);
        },
      };
    },
    createSubscriber: () => Promise.resolve(createRedisStreamsSubscriber({ url, ...TEST_SUBSCRIBER })),
    newTopic() {
      const stream = `surge-test:${randomUUID()}`;
      streams.push(stream);
      return Promise.resolve(stream);
    },
    async cleanup() {
      if (streams.length === 0) return;
      const redis = await connection(url, 'surge-test-cleanup');
      try {
        await redis.del(...streams.splice(0));
      } finally {
        await closeRedis(redis);
      }
    },
  };
}
