import type { Bytes, RawRecord, WireRecord } from '../message.ts';
import { toBuffer } from '../raw-record.ts';

/**
 * How a record is stored as the fields of one stream entry: `key`, `value` (the JSON `data`),
 * then one field per header named `h:<header>` — e.g. `h:ce_id`, `h:traceparent`. One field per
 * header rather than one JSON field keeps entries readable with `XRANGE` in redis-cli and needs
 * no second parse; the prefix keeps header names from clashing with `key` and `value`.
 */
export const FIELD = { key: 'key', value: 'value', headerPrefix: 'h:' } as const;

/** The flat `[field, value, field, value, …]` list `XADD` takes. */
export function recordToFields(record: WireRecord): string[] {
  const fields = [FIELD.key, record.key, FIELD.value, record.value];
  for (const [name, value] of Object.entries(record.headers)) fields.push(FIELD.headerPrefix + name, value);
  return fields;
}

/**
 * A record as bytes, in the same fields: a missing key or value (a tombstone) has no field, a
 * header without a value an empty one; bytes go to Redis as they are (`XADD` is binary-safe).
 */
export function rawRecordToFields(record: RawRecord): Array<string | Buffer> {
  // ioredis sends a Buffer as bytes; any other Uint8Array would be turned into text.
  const field = (b: Bytes) => (typeof b === 'string' ? b : toBuffer(b));
  const fields: Array<string | Buffer> = [];
  if (record.key !== undefined) fields.push(FIELD.key, field(record.key));
  if (record.value !== undefined) fields.push(FIELD.value, field(record.value));
  for (const [name, value] of record.headerEntries)
    fields.push(FIELD.headerPrefix + name, field(value ?? ''));
  // XADD needs a field: a record with nothing at all is stored with an empty key (read back the same).
  if (fields.length === 0) fields.push(FIELD.key, '');
  return fields;
}

/**
 * The record of a flat field list as `XREADGROUP` returns it. Unknown fields (another producer's)
 * are ignored; a missing `key` or `value` reads as empty, so decoding then reports the entry as
 * malformed instead of this throwing.
 */
export function fieldsToRecord(fields: readonly string[]): WireRecord {
  const record: WireRecord = { key: '', value: '', headers: {} };
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i] as string;
    const value = fields[i + 1] as string;
    if (name === FIELD.key) record.key = value;
    else if (name === FIELD.value) record.value = value;
    else if (name.startsWith(FIELD.headerPrefix)) {
      // defineProperty, not assignment: a header named `__proto__` must stay a header.
      const header = name.slice(FIELD.headerPrefix.length);
      Object.defineProperty(record.headers, header, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return record;
}
