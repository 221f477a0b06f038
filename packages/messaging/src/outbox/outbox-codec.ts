import type { Message } from '../message.ts';

/** A row whose `message` column cannot be turned back into a message. Never retried by itself. */
export class CorruptOutboxRowError extends Error {
  override readonly name = 'CorruptOutboxRowError';
  readonly code = 'E_OUTBOX_ROW_CORRUPT';
}

/**
 * The `message` column: the message's own fields as JSON, nothing else (a `Delivery` passed in
 * does not drag its topic/offset along).
 */
export function encodeOutboxMessage(m: Message): string {
  const stored: Message = {
    id: m.id,
    type: m.type,
    source: m.source,
    time: m.time,
    ...(m.subject === undefined ? {} : { subject: m.subject }),
    key: m.key,
    data: m.data,
    headers: m.headers,
  };
  return JSON.stringify(stored);
}

/** Parses the `message` column; throws `CorruptOutboxRowError` when it is not a stored message. */
export function decodeOutboxMessage(json: string): Message {
  let m: unknown;
  try {
    m = JSON.parse(json);
  } catch (cause) {
    throw new CorruptOutboxRowError('outbox message is not JSON', { cause });
  }
  if (!isMessage(m)) throw new CorruptOutboxRowError('outbox message lacks id, type, source, time or key');
  return m;
}

function isMessage(m: unknown): m is Message {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return (
    ['id', 'type', 'source', 'time', 'key'].every((k) => typeof r[k] === 'string') &&
    (r.subject === undefined || typeof r.subject === 'string') &&
    typeof r.headers === 'object' &&
    r.headers !== null &&
    'data' in r
  );
}
