import type { Publisher, Subscriber } from '../ports.ts';

/**
 * What a transport can do. The contract registers the tests of a missing feature as skipped, with
 * the reason, so the summary shows what a transport does not promise.
 */
export interface TransportFeatures {
  /**
   * A topic has several partitions, delivered concurrently: a stuck or slow partition does not
   * hold up the others. `newTopic` must then provision several partitions.
   */
  multiplePartitions: boolean;
  /** `deliveryAttempt` counts redeliveries (1, 2, 3, …) rather than staying at 1. */
  deliveryAttempt: boolean;
  /**
   * Per-key order holds while several members of one group share a topic (Kafka: a key's
   * partition has one owner at a time). Without it, order holds within one member only.
   */
  keyOrderAcrossMembers: boolean;
  /** `restartableBroker` is provided: the suite may restart a broker mid-stream. */
  brokerRestart: boolean;
}

/** Clients of one broker; every call returns a new, independent client the suite closes. */
export interface TransportClients {
  createPublisher: () => Promise<Publisher>;
  /** A subscriber with its own connections: two of them in one group are two group members. */
  createSubscriber: () => Promise<Subscriber>;
  /**
   * A unique topic (stream), provisioned and ready, used by one test only, so contract runs can
   * share a broker with other test files running in parallel.
   */
  newTopic: () => Promise<string>;
}

/** A broker of the test's own that the suite may restart, with clients connected to it. */
export interface RestartableBroker extends TransportClients {
  /** Kills the broker and starts it again on the same address; resolves once it serves again. */
  restart: () => Promise<void>;
  /** Stops the broker for good and removes its data. */
  close: () => Promise<void>;
}

/** A module the crash test imports in a child process (see `subscriberModule`). */
export interface SubscriberModule {
  /** Builds a subscriber configured like `TransportUnderTest.createSubscriber`. */
  createSubscriber: () => Promise<Subscriber>;
}

/** A transport as the contract suite sees it. */
export interface TransportUnderTest extends TransportClients {
  /** Shown in test names, e.g. `redis-streams`. */
  name: string;
  features: TransportFeatures;
  /**
   * URL of a module exporting `SubscriberModule`. The crash test imports it in a child process
   * (started with `process.execPath`, inheriting the environment) and kills that child with
   * SIGKILL while it handles messages.
   */
  subscriberModule: URL;
  /**
   * How long a "slow" handler runs in the slow-handler test, ms: longer than the liveness limits
   * the factories configure (Redis Streams `claimIdleMs`, Kafka session timeout), so a transport
   * that mistakes a busy member for a dead one fails the test.
   */
  slowHandlerMs: number;
  /**
   * How long a test waits for an expected outcome (deliveries, rebalances, claims) before it
   * fails, ms. Default 20000.
   */
  waitTimeoutMs?: number;
  /** Starts a restartable broker; required when `features.brokerRestart`. */
  restartableBroker?: () => Promise<RestartableBroker>;
}
