import type { Message, WireRecord } from './message.ts';

/** Header names of CloudEvents 1.0 Kafka binary mode, as used on every Surge topic. */
export const CE = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  subject: 'ce_subject',
  contentType: 'content-type',
} as const;

const RESERVED = new Set<string>(Object.values(CE));

export class MalformedRecordError extends Error {
  readonly code = 'E_MALFORMED_RECORD';
  override readonly name = 'MalformedRecordError';
  /** A poison message: dead-letter it, never retry (resilience's `fatal` marker). */
  readonly fatal = true;
}

/** Encodes a message as a binary-mode record: attributes in headers, JSON `data` as the value. */
export function encodeMessage(m: Message): WireRecord {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers)) if (!RESERVED.has(k)) headers[k] = v;
  headers[CE.specversion] = '1.0';
  headers[CE.id] = m.id;
  headers[CE.type] = m.type;
  headers[CE.source] = m.source;
  headers[CE.time] = m.time;
  if (m.subject !== undefined) headers[CE.subject] = m.subject;
  headers[CE.contentType] = 'application/json';
  return { key: m.key, value: JSON.stringify(m.data), headers };
}

/**
 * Decodes a record; throws `MalformedRecordError` (a poison message: dead-letter it, do not retry)
 * when required attributes are missing or the value is not JSON.
 */
export function decodeMessage(r: WireRecord): Message {
  const h = r.headers;
  const id = h[CE.id];
  const type = h[CE.type];
  const source = h[CE.source];
  const time = h[CE.time];
  checkAttributes(id, type, source, time, h[CE.specversion]);
  const message: Message = {
    id: id as string,
    type: type as string,
    source: source as string,
    time: time as string,
    key: r.key,
    data: parseData(r.value),
    headers: otherHeaders(Object.entries(h)),
  };
  const subject = h[CE.subject];
  if (subject !== undefined) message.subject = subject;
  return message;
}

// The rules of decoding, shared by `decodeMessage` and the transports that read headers from
// their own structure (a Kafka client's header Map) straight into a delivery: on the consume
// path, every copy and spread per record showed in the P4 profile.

/**
 * Throws `MalformedRecordError` unless the required attributes are present as text (a transport
 * that keeps bytes hands over a non-string for a header that is not UTF-8) and the specversion is 1.0.
 */
export function checkAttributes(
  id: unknown,
  type: unknown,
  source: unknown,
  time: unknown,
  specversion: unknown,
): void {
  if (!isText(id) || !isText(type) || !isText(source) || !isText(time)) {
    const given = Object.entries({ [CE.id]: id, [CE.type]: type, [CE.source]: source, [CE.time]: time });
    const missing = given.filter(([, v]) => v === undefined || v === '').map(([k]) => k);
    const binary = given.filter(([, v]) => v !== undefined && v !== '' && !isText(v)).map(([k]) => k);
    throw new MalformedRecordError(
      missing.length > 0
        ? `missing CloudEvents headers: ${missing.join(', ')}`
        : `CloudEvents headers that are not UTF-8 text: ${binary.join(', ')}`,
    );
  }
  if (specversion !== '1.0') {
    const shown = typeof specversion === 'string' ? specversion.slice(0, 20) : typeof specversion;
    throw new MalformedRecordError(`unsupported ce_specversion ${shown}`);
  }
}

const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** The record value as JSON `data`; `MalformedRecordError` when it is not JSON. */
export function parseData(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (cause) {
    throw new MalformedRecordError('the record value is not JSON', { cause });
  }
}

/**
 * The headers that are not CloudEvents attributes (`Message.headers`), from name/value entries. A
 * value that is bytes (not UTF-8) is shown decoded with U+FFFD, a missing one as `''`; the record's
 * exact bytes stay in `Delivery.raw`. A repeated name keeps its last value.
 */
export function otherHeaders(
  entries: readonly (readonly [string, string | Uint8Array | undefined])[],
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as readonly [string, string | Uint8Array | undefined];
    const name = entry[0];
    if (RESERVED.has(name)) continue;
    const value = entry[1];
    headers[name] = typeof value === 'string' ? value : asText(value);
  }
  return headers;
}

/** Bytes shown as text (invalid UTF-8 as U+FFFD): what handlers see of a field that is not text. */
export const asText = (b: Uint8Array | undefined): string =>
  b === undefined ? '' : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString();

/** The CloudEvents attributes a record carries more than once (ambiguous: which id is it?). */
export function repeatedAttributes(entries: readonly (readonly [string, unknown])[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const [name] of entries) {
    if (!RESERVED.has(name)) continue;
    if (seen.has(name)) repeated.add(name);
    seen.add(name);
  }
  return [...repeated];
}

/**
 * A message for a record that could not be decoded: what can be read of it, its raw value as
 * `data` (text, bytes, or `null` for a record without a value).
 */
export function rawDelivery(key: string, value: unknown, headers: Record<string, string>): Message {
  return {
    id: headers[CE.id] ?? '',
    type: headers[CE.type] ?? '',
    source: headers[CE.source] ?? '',
    time: headers[CE.time] ?? '',
    key,
    data: value,
    headers,
  };
}
