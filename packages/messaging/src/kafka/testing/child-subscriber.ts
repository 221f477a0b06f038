// The crash test's subscriber module (contract `SubscriberModule`): a child process imports it to
// build a subscriber configured like the parent's, then gets killed with SIGKILL.
import type { Subscriber } from '../../ports.ts';
import { createKafkaSubscriber } from '../kafka-subscriber.ts';
import { TEST_SUBSCRIBER, testBrokers } from './kafka-test-clients.ts';

export function createSubscriber(): Promise<Subscriber> {
  return Promise.resolve(createKafkaSubscriber({ brokers: testBrokers(), ...TEST_SUBSCRIBER }));
}
