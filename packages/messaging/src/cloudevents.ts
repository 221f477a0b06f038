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
  return decodeEntries(r.key, r.value, Object.entries(r.headers));
}

/**
 * `decodeMessage` for headers given as name/value entries, e.g. the `Map` a Kafka client hands
 * out, so they are not copied into an object first. Same rules, same errors.
 */
export function decodeEntries(
  key: string,
  value: string,
  entries: readonly (readonly [string, string])[],
): Message {
  // Runs once per consumed record: one pass over the headers, nothing allocated but the message
  // (the copies and spreads of an earlier version cost as much as JSON.parse in the P4 profile).
  let id: string | undefined;
  let type: string | undefined;
  let source: string | undefined;
  let time: string | undefined;
  let specversion: string | undefined;
  let subject: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i < entries.length; i++) {
    const [name, v] = entries[i] as readonly [string, string];
    switch (name) {
      case CE.id:
        id = v;
        break;
      case CE.type:
        type = v;
        break;
      case CE.source:
        source = v;
        break;
      case CE.time:
        time = v;
        break;
      case CE.specversion:
        specversion = v;
        break;
      case CE.subject:
        subject = v;
        break;
      case CE.contentType:
        break;
      default:
        headers[name] = v;
    }
  }
  if (!id || !type || !source || !time) {
    const present = { [CE.id]: id, [CE.type]: type, [CE.source]: source, [CE.time]: time };
    const missing = Object.keys(present).filter((k) => !present[k as keyof typeof present]);
    throw new MalformedRecordError(`missing CloudEvents headers: ${missing.join(', ')}`);
  }
  if (specversion !== '1.0') throw new MalformedRecordError(`unsupported ce_specversion ${specversion}`);
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch (cause) {
    throw new MalformedRecordError('the record value is not JSON', { cause });
  }
  const message: Message = { id, type, source, time, key, data, headers };
  if (subject !== undefined) message.subject = subject;
  return message;
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
