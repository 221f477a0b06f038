import type { Bytes, RawRecord } from './message.ts';
import { byteLength, recordBytes, sha256Hex, toBuffer } from './raw-record.ts';

/** What `fitRecord` may cut from a record that is too large. */
export type TruncatedPart = 'value' | 'key' | 'headers';

/** The original record's sizes, for the headers or columns that say what was cut. */
export interface OriginalSizes {
  /** Bytes of the value; `undefined` when it had none (a tombstone). */
  valueBytes: number | undefined;
  /** Hex SHA-256 of the whole value; `undefined` for a tombstone. */
  valueSha256: string | undefined;
  keyBytes: number;
  headerCount: number;
  /** Names and values. */
  headersBytes: number;
}

export interface FittedRecord {
  record: RawRecord;
  /** Empty when the record fitted whole. */
  truncated: readonly TruncatedPart[];
  original: OriginalSizes;
}

/** A cut key keeps this many bytes: enough to recognise it; it still spreads over partitions. */
export const KEEP_KEY_BYTES = 1024;
/** Cut headers keep at most this many bytes of each name and value. */
export const KEEP_HEADER_BYTES = 1024;

const cut = (b: Bytes, max: number): Bytes => (byteLength(b) <= max ? b : toBuffer(b).subarray(0, max));

/**
 * `record` cut to fit `maxBytes` (as `recordBytes` counts) with `reserveBytes` left for what the
 * caller adds (its own headers). Whole when it fits. Otherwise, in this order: a key over
 * `KEEP_KEY_BYTES` is cut to that; when the headers take more than a quarter of the budget, each
 * name and value is cut to `KEEP_HEADER_BYTES` and headers are kept, in order, while they fit in
 * that quarter; the value keeps the prefix of its bytes that still fits (possibly none). Cut
 * bytes are prefixes of the original's, which may split a UTF-8 character: a cut copy is bytes,
 * for inspection, not a record to process. Pure; the sizes and hash describe the original.
 */
export function fitRecord(record: RawRecord, maxBytes: number, reserveBytes = 0): FittedRecord {
  let headersBytes = 0;
  for (const [name, value] of record.headerEntries) headersBytes += byteLength(name) + byteLength(value);
  const original: OriginalSizes = {
    valueBytes: record.value === undefined ? undefined : byteLength(record.value),
    valueSha256: record.value === undefined ? undefined : sha256Hex(record.value),
    keyBytes: byteLength(record.key),
    headerCount: record.headerEntries.length,
    headersBytes,
  };
  const budget = maxBytes - reserveBytes;
  if (recordBytes(record) <= budget) return { record, truncated: [], original };

  const truncated: TruncatedPart[] = [];
  let { key, headerEntries } = record;
  if (key !== undefined && original.keyBytes > KEEP_KEY_BYTES) {
    key = cut(key, KEEP_KEY_BYTES);
    truncated.push('key');
  }
  if (headersBytes > budget / 4) {
    const kept: Array<readonly [string, Bytes | undefined]> = [];
    let used = 0;
    for (const [name, value] of headerEntries) {
      const n = cut(name, KEEP_HEADER_BYTES);
      const entry = [
        typeof n === 'string' ? n : n.toString(),
        value === undefined ? undefined : cut(value, KEEP_HEADER_BYTES),
      ] as const;
      used += recordBytes({ key: undefined, value: undefined, headerEntries: [entry] }) - recordBytes(EMPTY);
      if (used > budget / 4) break;
      kept.push(entry);
    }
    headerEntries = kept;
    truncated.push('headers');
  }
  let value = record.value;
  const room = budget - recordBytes({ key, value: undefined, headerEntries });
  if (value !== undefined && byteLength(value) > room) {
    value = toBuffer(value).subarray(0, Math.max(0, room));
    truncated.push('value');
  }
  return { record: { key, value, headerEntries }, truncated, original };
}

const EMPTY: RawRecord = { key: undefined, value: undefined, headerEntries: [] };
