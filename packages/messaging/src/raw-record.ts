import { createHash } from 'node:crypto';
import { encodeMessage } from './cloudevents.ts';
import type { Bytes, Delivery, Message, RawRecord } from './message.ts';

/** Bytes of `b` on the wire (a string counts as its UTF-8 encoding); 0 for `undefined`. */
export function byteLength(b: Bytes | undefined): number {
  if (b === undefined) return 0;
  return typeof b === 'string' ? Buffer.byteLength(b) : b.byteLength;
}

/** `b` as a Buffer (a string encoded as UTF-8; bytes not copied). */
export function toBuffer(b: Bytes): Buffer {
  if (typeof b === 'string') return Buffer.from(b);
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Hex SHA-256 of `b` (of nothing, for `undefined`). */
export function sha256Hex(b: Bytes | undefined): string {
  return createHash('sha256')
    .update(b === undefined ? '' : b)
    .digest('hex');
}

// Kafka's record batch v2 (KIP-98): 61 bytes of batch header (the 12 bytes of log overhead
// included, which the broker's `max.message.bytes` counts too); per record, varints of at most 5
// bytes (length, offset delta, key and value lengths, header count) plus a 1-byte attributes field
// and a timestamp delta of at most 10; per header, two varint lengths.
const BATCH_OVERHEAD = 61;
const RECORD_OVERHEAD = 5 + 1 + 10 + 5 + 5 + 5 + 5;
const HEADER_OVERHEAD = 5 + 5;

/**
 * An upper bound of the bytes `record` takes on the broker when it is sent alone, as Kafka's
 * `max.message.bytes` counts them (a record batch of one record, uncompressed).
 */
export function recordBytes(record: RawRecord): number {
  let n = BATCH_OVERHEAD + RECORD_OVERHEAD + byteLength(record.key) + byteLength(record.value);
  for (const [name, value] of record.headerEntries)
    n += HEADER_OVERHEAD + byteLength(name) + byteLength(value);
  return n;
}

/**
 * The record of a delivery as it travelled: the transport's own bytes when it kept them
 * (`Delivery.raw`), else the message encoded again (CloudEvents binary mode). A malformed
 * delivery's `data` is its raw value, kept as it is — never encoded as a JSON string.
 */
export function rawRecordOf(d: Delivery | Message): RawRecord {
  if ('raw' in d && d.raw) return d.raw;
  if ('malformed' in d && d.malformed !== undefined) {
    const data = d.data;
    const value =
      typeof data === 'string' || data instanceof Uint8Array
        ? data
        : data == null
          ? undefined
          : JSON.stringify(data);
    return { key: d.key, value, headerEntries: Object.entries(d.headers) };
  }
  const w = encodeMessage(d);
  return { key: w.key, value: w.value, headerEntries: Object.entries(w.headers) };
}
