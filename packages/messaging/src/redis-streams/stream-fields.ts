import type { WireRecord } from '../message.ts';

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
