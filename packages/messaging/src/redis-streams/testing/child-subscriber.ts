// The crash test's subscriber module (contract `SubscriberModule`): a child process imports it to
// build a subscriber configured like the parent's, then gets killed with SIGKILL.
import type { Subscriber } from '../../ports.ts';
import { createRedisStreamsSubscriber } from '../subscriber.ts';
import { testRedisUrl } from '@surge/test-support';
import { TEST_SUBSCRIBER } from './test-clients.ts';

export function createSubscriber(): Promise<Subscriber> {
  return Promise.resolve(createRedisStreamsSubscriber({ url: testRedisUrl(), ...TEST_SUBSCRIBER }));
}
