/**
 * A message as handlers and publishers see it: a CloudEvents 1.0 event (packages/messaging/README.md) plus the
 * partition key. On the wire it travels in binary mode: attributes as `ce_*` headers, `data` as
 * the JSON value.
 */
export interface Message<T = unknown> {
  /** `ce_id`: UUIDv7, unique per event; the deduplication key. */
  id: string;
  /** `ce_type`, e.g. `surge.user.registered.v1`. */
  type: string;
  /** `ce_source`, e.g. `/surge/shop`. */
  source: string;
  /** `ce_time`, RFC 3339. */
  time: string;
  /** `ce_subject`: the aggregate the event is about, when there is one. */
  subject?: string;
  /** Partition key: messages with the same key keep their order. */
  key: string;
  data: T;
  /** Other headers, e.g. `traceparent`. Never `ce_*` or `content-type` (those are derived). */
  headers: Record<string, string>;
}

/** A message delivered by a subscriber, with where it came from. */
export interface Delivery<T = unknown> extends Message<T> {
  topic: string;
  partition: number;
  /** Transport position as a string (Kafka offset, Redis stream id). */
  offset: string;
  /** Broker timestamp, epoch milliseconds. */
  timestamp: number;
  /** 1 on first delivery; higher when redelivered by the transport. */
  deliveryAttempt: number;
  /**
   * Set when the record could not be decoded (missing CloudEvents headers, value not JSON): the
   * reason. `data` then holds the raw value. Such a record is poison: dead-letter it at once.
   */
  malformed?: string;
  /**
   * The record exactly as it travelled, when the transport has it (Kafka): what a dead-letter
   * copy or a replay republishes, byte for byte. Absent: the transport rebuilds it from the message.
   */
  raw?: RawRecord;
}

/** Bytes as they travel; a string stands for its UTF-8 encoding (only text that round-trips is kept as one). */
export type Bytes = string | Uint8Array;

/**
 * A record as bytes, binary-safe: any key, value and headers a producer may have written —
 * not UTF-8, a header name repeated, no value at all (a tombstone).
 */
export interface RawRecord {
  /** `undefined`: the record has no key. */
  readonly key: Bytes | undefined;
  /** `undefined`: the record has no value (a tombstone); an empty value is `''`. */
  readonly value: Bytes | undefined;
  /** In order; a name may repeat. A value is `undefined` when the header has none. */
  readonly headerEntries: ReadonlyArray<readonly [string, Bytes | undefined]>;
}

/** What a transport sends and receives: the record of one message as bytes-ready strings. */
export interface WireRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}
