import { toBuffer, type Bytes, type RawRecord } from '@surge/messaging';

/** `dead_letters.record`: a record as ASCII JSON, every byte field base64 (null when absent). */
interface StoredRecord {
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

const b64 = (b: Bytes | undefined) => (b === undefined ? null : toBuffer(b).toString('base64'));
const bytes = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64') : undefined);

/** The record, binary-safe and readable with SQL (`FROM_BASE64(JSON_VALUE(record, '$.value'))`). */
export function encodeStoredRecord(r: RawRecord): string {
  const stored: StoredRecord = {
    key: b64(r.key),
    value: b64(r.value),
    headers: r.headerEntries.map(([name, value]) => [name, b64(value)]),
  };
  return JSON.stringify(stored);
}

/** The record back as bytes; throws on a column that is not what `encodeStoredRecord` wrote. */
export function decodeStoredRecord(text: string): RawRecord {
  const s = JSON.parse(text) as Partial<StoredRecord>;
  if (!Array.isArray(s.headers)) throw new TypeError('dead_letters.record has no headers array');
  return {
    key: bytes(s.key),
    value: bytes(s.value),
    headerEntries: s.headers.map(([name, value]) => [String(name), bytes(value)] as const),
  };
}
