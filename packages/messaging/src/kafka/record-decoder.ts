import { decodeEntries, rawDelivery } from '../cloudevents.ts';
import type { Delivery } from '../message.ts';
import type { KafkaRecord } from './kafka-consumer.ts';

/**
 * The delivery of a record's `attempt`-th run. A record that does not decode (missing
 * CloudEvents headers, value not JSON) is still delivered, marked `malformed` with its raw value
 * as `data`, so the router dead-letters it instead of the transport dropping or retrying it.
 * Each attempt gets a fresh object: a handler that changed the previous one sees the record as sent.
 */
export function toDelivery(record: KafkaRecord, attempt: number): Delivery {
  const key = record.key ?? '';
  const value = record.value ?? '';
  let message;
  let malformed: string | undefined;
  try {
    message = decodeEntries(key, value, record.headerEntries);
  } catch (err) {
    malformed = err instanceof Error ? err.message : String(err);
    message = rawDelivery(key, value, Object.fromEntries(record.headers));
  }
  const delivery: Delivery = {
    ...message,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset.toString(),
    timestamp: Number(record.timestamp),
    deliveryAttempt: attempt,
  };
  if (malformed !== undefined) delivery.malformed = malformed;
  return delivery;
}
