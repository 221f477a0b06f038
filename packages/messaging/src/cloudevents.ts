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

/** Throws `MalformedRecordError` unless the required attributes are present and the specversion is 1.0. */
export function checkAttributes(
  id: string | undefined,
  type: string | undefined,
  source: string | undefined,
  time: string | undefined,
  specversion: string | undefined,
): void {
  if (!id || !type || !source || !time) {
    const given = { [CE.id]: id, [CE.type]: type, [CE.source]: source, [CE.time]: time };
    const missing = Object.entries(given).filter(([, v]) => !v);
    throw new MalformedRecordError(`missing CloudEvents headers: ${missing.map(([k]) => k).join(', ')}`);
  }
  if (specversion !== '1.0') throw new MalformedRecordError(`unsupported ce_specversion ${specversion}`);
}

/** The record value as JSON `data`; `MalformedRecordError` when it is not JSON. */
export function parseData(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (cause) {
    throw new MalformedRecordError('the record value is not JSON', { cause });
  }
}

/** The headers that are not CloudEvents attributes (`Message.headers`), from name/value entries. */
export function otherHeaders(entries: readonly (readonly [string, string])[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as readonly [string, string];
    const name = entry[0];
    if (!RESERVED.has(name)) headers[name] = entry[1];
  }
  return headers;
}

/** A message for a record that could not be decoded: what can be read of it, raw value as `data`. */
export function rawDelivery(key: string, value: string, headers: Record<string, string>): Message {
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
