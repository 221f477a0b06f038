import { randomUUID } from 'node:crypto';
import { after, before, type TestContext } from 'node:test';
import type { Redis } from 'ioredis';
import { silentLog, type Log } from '@surge/resilience';
import { testScope } from '../../contract/test-scope.ts';
import type { Handler } from '../../ports.ts';
import { closeRedis, openRedis } from '../connection.ts';
import { createRedisStreamsPublisher } from '../publisher.ts';
import { createRedisStreamsSubscriber } from '../subscriber.ts';
import type { RedisStreamsSubscriberOptions } from '../subscriber-options.ts';
import { testRedisUrl } from '@surge/test-support';
import { TEST_SUBSCRIBER } from './test-clients.ts';

/**
 * For the Redis-specific test files: registers file hooks that open one admin connection (for
 * raw stream commands) and delete every stream the tests used; `setup(t)` gives a test its own
 * stream, publisher and subscriber factory, all closed after the test.
 */
export function behaviourSuite() {
  const streams: string[] = [];
  let admin: Redis | undefined;
  before(async () => {
    admin = await openRedis(
      testRedisUrl(),
      { name: 'surge-test-admin', commandTimeoutMs: 2000, connectTimeoutMs: 2000 },
      () => {},
    );
  });
  after(async () => {
    if (!admin) return;
    if (streams.length > 0) await admin.del(...streams);
    await closeRedis(admin);
  });

  function setup(t: TestContext) {
    if (!admin) throw new Error('behaviourSuite: the before hook did not run');
    const redis = admin;
    const scope = testScope(t);
    const stream = `surge-test:${randomUUID()}`;
    streams.push(stream);
    /** What subscribers logged, as `message: error`. */
    const errors: string[] = [];
    const log: Log = {
      ...silentLog,
      warn: (fields, msg) => void errors.push(`${msg}: ${String(fields.err)}`),
    };
    const subscriber = (o: Partial<RedisStreamsSubscriberOptions> = {}) =>
      scope.add(
        createRedisStreamsSubscriber({
          url: testRedisUrl(),
          ...TEST_SUBSCRIBER,
          log,
          ...o,
        }),
      );
    return {
      redis,
      scope,
      stream,
      errors,
      publisher: scope.add(createRedisStreamsPublisher({ redis })),
      subscriber,
      subscribe: async (sub: ReturnType<typeof subscriber>, group: string, handler: Handler) =>
        scope.add(await sub.subscribe({ topic: stream, group, handler })),
    };
  }
  return { setup };
}
