import type { TestContext } from 'node:test';
import type { Handler, Publisher, Subscriber, Subscription } from '../ports.ts';
import { testScope, type TestScope } from './test-scope.ts';
import type { TransportClients, TransportFeatures, TransportUnderTest } from './transport-under-test.ts';

const MISSING: Record<keyof TransportFeatures, string> = {
  multiplePartitions: 'a topic has a single partition',
  deliveryAttempt: 'deliveryAttempt does not count redeliveries',
  keyOrderAcrossMembers: 'per-key order holds within one group member only',
  brokerRestart: 'no restartable broker is provided',
};

/** What every contract case gets: the transport, its wait budget, and per-test options. */
export interface ContractContext {
  readonly transport: TransportUnderTest;
  /** How long to wait for an expected outcome, ms. */
  readonly waitMs: number;
  /** `it` options: a bounded timeout, and `skip` with the reason when `needs` is missing. */
  options(needs?: keyof TransportFeatures): { timeout: number; skip?: string };
}

export function contractContext(transport: TransportUnderTest): ContractContext {
  const waitMs = transport.waitTimeoutMs ?? 20_000;
  return {
    transport,
    waitMs,
    options(needs) {
      // Several waits per test plus cleanup; only reached when something hangs.
      const timeout = waitMs * 4 + 30_000;
      if (needs === undefined || transport.features[needs]) return { timeout };
      return { timeout, skip: `${transport.name} lacks ${needs}: ${MISSING[needs]}` };
    },
  };
}

/** Test-scoped clients: everything opened through them is closed after the test. */
export interface ScopedClients {
  scope: TestScope;
  /** The same helpers for other clients (e.g. a restartable broker's), in the same scope. */
  using: (clients: TransportClients) => ScopedClients;
  publisher: () => Promise<Publisher>;
  subscriber: () => Promise<Subscriber>;
  subscribe: (
    subscriber: Subscriber,
    topic: string,
    group: string,
    handler: Handler,
  ) => Promise<Subscription>;
}

export function scopedClients(t: TestContext, clients: TransportClients): ScopedClients {
  return bind(testScope(t), clients);
}

function bind(scope: TestScope, clients: TransportClients): ScopedClients {
  return {
    scope,
    using: (other) => bind(scope, other),
    publisher: async () => scope.add(await clients.createPublisher()),
    subscriber: async () => scope.add(await clients.createSubscriber()),
    subscribe: async (subscriber, topic, group, handler) =>
      scope.add(await subscriber.subscribe({ topic, group, handler })),
  };
}
