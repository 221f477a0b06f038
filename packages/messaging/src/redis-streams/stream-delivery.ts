import { decodeMessage, rawDelivery } from '../cloudevents.ts';
import type { Delivery } from '../message.ts';
import { fieldsToRecord } from './stream-fields.ts';

/** One stream entry as this transport holds it between reading and acking it. */
export interface StreamEntry {
  /** Stream id, `<ms>-<seq>`. */
  id: string;
  fields: string[];
  /** The group's delivery count for the entry (`XPENDING`), i.e. this delivery's attempt. */
  attempt: number;
  /** True once a handler has been given the entry (and rejected it). */
  handled: boolean;
}

/** The broker timestamp of a stream id: its millisecond part. */
export function streamIdTimestamp(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/**
 * The delivery of an entry. A stream has one partition (0); the offset is the entry id. An entry
 * that does not decode is still delivered, marked `malformed` with its raw value as `data`, so
 * the router dead-letters it rather than the transport dropping or retrying it forever.
 */
export function toDelivery(stream: string, entry: StreamEntry): Delivery {
  const record = fieldsToRecord(entry.fields);
  const position = {
    topic: stream,
    partition: 0,
    offset: entry.id,
    timestamp: streamIdTimestamp(entry.id),
    deliveryAttempt: entry.attempt,
  };
  try {
    return { ...decodeMessage(record), ...position };
  } catch (err) {
    const malformed = err instanceof Error ? err.message : String(err);
    return { ...rawDelivery(record.key, record.value, record.headers), ...position, malformed };
  }
}
