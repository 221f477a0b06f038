import { DLT, DLT_PREFIX } from './dead-letter-headers.ts';
import { fitRecord, type TruncatedPart } from './fit-record.ts';
import type { Delivery, RawRecord } from './message.ts';
import { rawRecordOf, recordBytes } from './raw-record.ts';

/** Why and where a delivery failed, for its `dlt_*` headers. */
export interface DeadLetterFacts {
  /** The consumer group that gave up on it. */
  group: string;
  attempts: number;
  errorClass: string;
  /** Cut to 1000 characters. */
  errorMessage: string;
  failedAt: Date;
}

export interface DeadLetterRecord {
  record: RawRecord;
  /** Empty when the copy is the whole original. */
  truncated: readonly TruncatedPart[];
}

// Room for the headers that say what was cut (their values are at most 20 digits or 64 hex each).
const TRUNCATION_HEADERS_BYTES = 512;

/**
 * The dead-letter copy of `delivery`: its record as it travelled (key, value and headers byte for
 * byte: binary-safe, never re-encoded as JSON) plus the `dlt_*` headers of its origin and error.
 * The copy fits `maxBytes` (the dead-letter topic's record size, `recordBytes`): when the whole
 * record does not, a truncated copy says so (`dlt_truncated`, with the original's sizes and the
 * SHA-256 of its value), so that a record of any size still lands in the dead-letter topic.
 * The record's own `dlt_*` headers (a dead letter copied back by hand) are replaced.
 */
export function deadLetterRecord(
  delivery: Delivery,
  facts: DeadLetterFacts,
  maxBytes: number,
): DeadLetterRecord {
  const raw = rawRecordOf(delivery);
  const source: RawRecord = {
    key: raw.key,
    value: raw.value,
    headerEntries: raw.headerEntries.filter(([name]) => !name.startsWith(DLT_PREFIX)),
  };
  const origin: Array<[string, string]> = [
    [DLT.topic, delivery.topic],
    [DLT.partition, String(delivery.partition)],
    [DLT.offset, delivery.offset],
    [DLT.timestamp, String(delivery.timestamp)],
    [DLT.group, facts.group],
    [DLT.attempts, String(facts.attempts)],
    [DLT.errorClass, facts.errorClass],
    [DLT.errorMessage, facts.errorMessage.slice(0, 1000)],
    [DLT.failedAt, facts.failedAt.toISOString()],
  ];
  const reserve =
    recordBytes({ key: undefined, value: undefined, headerEntries: origin }) + TRUNCATION_HEADERS_BYTES;
  const { record, truncated, original } = fitRecord(source, maxBytes, reserve);
  const sizes: Array<[string, string]> = [];
  if (original.valueBytes !== undefined) {
    sizes.push([DLT.valueBytes, String(original.valueBytes)], [DLT.valueSha256, original.valueSha256 ?? '']);
  }
  if (truncated.length > 0) sizes.push([DLT.truncated, truncated.join(',')]);
  if (truncated.includes('key')) sizes.push([DLT.keyBytes, String(original.keyBytes)]);
  if (truncated.includes('headers')) {
    sizes.push(
      [DLT.headerCount, String(original.headerCount)],
      [DLT.headersBytes, String(original.headersBytes)],
    );
  }
  return {
    record: { ...record, headerEntries: [...record.headerEntries, ...origin, ...sizes] },
    truncated,
  };
}
