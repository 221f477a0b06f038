import type { Delivery, Message } from './message.ts';

/** Publishes messages; resolves only once the broker has durably accepted all of them. */
export interface Publisher {
  /**
   * @param topic destination topic (or stream)
   * @param messages published in order; same key → same partition
   * @param opts.signal aborts waiting (for buffer space or acks); the publish then rejects
   */
  publish(topic: string, messages: readonly Message[], opts?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}

/**
 * Handles one delivery. Resolving acknowledges it (the transport commits); rejecting leaves it
 * unacknowledged and the transport redelivers it. `signal` aborts on timeout or shutdown.
 */
export type Handler = (delivery: Delivery, signal: AbortSignal) => Promise<void>;

export interface SubscribeOptions {
  topic: string;
  /** Consumer group: each group gets every message once; members of a group share them. */
  group: string;
  handler: Handler;
}

/** A running subscription. */
export interface Subscription {
  /** Stops fetching, waits for in-flight handlers, commits what they acked, leaves the group. */
  close(): Promise<void>;
}

/**
 * Delivers messages at least once, in order per partition (one in-flight delivery per partition),
 * and redelivers a message whose handler rejected — it never skips one.
 */
export interface Subscriber {
  subscribe(opts: SubscribeOptions): Promise<Subscription>;
  close(): Promise<void>;
}
