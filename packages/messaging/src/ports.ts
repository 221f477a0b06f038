import type { Delivery, Message, RawRecord } from './message.ts';

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
 * Publishes records as bytes, exactly as given (no CloudEvents encoding): dead-letter copies and
 * their replays, which must be binary-safe and keep what the original producer wrote.
 */
export interface RecordPublisher {
  /**
   * Resolves once the broker durably accepted every record. Rejects with resilience's
   * `isTransient` errors while the broker is unreachable (retry later), and with a `fatal`
   * `RecordTooLargeError` (`E_RECORD_TOO_LARGE`) for a record over `maxRecordBytes(topic)`.
   * @param opts.signal aborts waiting; the publish then rejects (the records may still land)
   */
  publishRecords(
    topic: string,
    records: readonly RawRecord[],
    opts?: { signal?: AbortSignal },
  ): Promise<void>;
  /**
   * The largest record `topic` accepts, in bytes as `recordBytes` counts them: the topic's
   * limit as the broker reports it, capped by the publisher's own. Never rejects (falls back to
   * the publisher's limit when the broker cannot say).
   */
  maxRecordBytes(topic: string): Promise<number>;
  /** Forgets what was learned of `topic`'s limit (the broker refused a record that fitted it). */
  forgetRecordLimit?(topic: string): void;
}

/**
 * Handles one delivery. Resolving acknowledges it (the transport commits); rejecting leaves it
 * unacknowledged and the transport redelivers it. `signal` aborts on timeout or shutdown.
 */
export type Handler = (delivery: Delivery, signal: AbortSignal) => Promise<void>;

/**
 * Handles several deliveries of one partition at once, in offset order (a consumer that is
 * behind). Resolving acknowledges all of them. Rejecting acknowledges none: the transport then
 * runs each through the subscription's one-record `handler` (retries, dead letters), so a batch
 * handler must either apply the whole batch or leave nothing that handling the records one by
 * one would not tolerate (one transaction; idempotent side effects).
 */
export type BatchHandler = (deliveries: readonly Delivery[], signal: AbortSignal) => Promise<void>;

export interface SubscribeOptions {
  topic: string;
  /** Consumer group: each group gets every message once; members of a group share them. */
  group: string;
  handler: Handler;
  /**
   * Optional: records already buffered behind a partition's head go to `handler` of this
   * together, up to `maxRecords` (never waiting to fill a batch). A transport may ignore it and
   * deliver one record at a time (the Redis Streams one does).
   */
  batch?: { handler: BatchHandler; maxRecords: number };
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
