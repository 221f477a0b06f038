// Parsers of the raw stream replies `redis.call` returns (RESP2, strings). Each checks the shape
// it relies on and throws on anything else, so a protocol surprise surfaces as an error in the
// read loop (reported, retried) instead of as `undefined` deep inside a handler.

/** An entry as read; `fields` is null when the id is still pending but the entry was trimmed. */
export interface RawEntry {
  id: string;
  fields: string[] | null;
}

class UnexpectedReplyError extends Error {
  override readonly name = 'UnexpectedReplyError';
}

function fail(command: string, reply: unknown): never {
  throw new UnexpectedReplyError(`unexpected ${command} reply: ${JSON.stringify(reply)?.slice(0, 200)}`);
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((v) => typeof v === 'string');

/** `[[id, [f, v, …] | null], …]`, as in XCLAIM replies and per stream in XREADGROUP replies. */
export function parseEntries(command: string, reply: unknown): RawEntry[] {
  if (!Array.isArray(reply)) fail(command, reply);
  return reply.map((item: unknown) => {
    if (!Array.isArray(item) || typeof item[0] !== 'string') fail(command, reply);
    const fields: unknown = item[1];
    if (fields !== null && !isStrings(fields)) fail(command, reply);
    return { id: item[0], fields };
  });
}

/** XREADGROUP on one stream: `null` (nothing, or timed out) or `[[stream, entries]]`. */
export function parseReadGroup(reply: unknown): RawEntry[] {
  if (reply === null) return [];
  if (!Array.isArray(reply) || reply.length !== 1 || !Array.isArray(reply[0])) fail('XREADGROUP', reply);
  return parseEntries('XREADGROUP', (reply[0] as unknown[])[1]);
}

/** XPENDING's extended form: `[[id, consumer, idleMs, deliveryCount], …]` → id → count. */
export function parsePendingCounts(reply: unknown): Map<string, number> {
  if (!Array.isArray(reply)) fail('XPENDING', reply);
  const counts = new Map<string, number>();
  for (const item of reply as unknown[]) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[3] !== 'number')
      fail('XPENDING', reply);
    counts.set(item[0], item[3]);
  }
  return counts;
}

/**
 * XAUTOCLAIM … JUSTID: `[cursor, [id, …], [deletedId, …]]` (Redis ≥ 7; 6.2 sends no third
 * element). Deleted ids were pending but trimmed; Redis drops them from the PEL itself.
 */
export function parseAutoclaimIds(reply: unknown): { cursor: string; ids: string[]; deleted: string[] } {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string' || !isStrings(reply[1]))
    fail('XAUTOCLAIM', reply);
  const deleted: unknown = reply[2] ?? [];
  if (!isStrings(deleted)) fail('XAUTOCLAIM', reply);
  return { cursor: reply[0], ids: reply[1], deleted };
}

/** XINFO CONSUMERS: one flat `[field, value, …]` list per consumer → name, pending, idle. */
export function parseConsumers(reply: unknown): Array<{ name: string; pending: number; idleMs: number }> {
  if (!Array.isArray(reply)) fail('XINFO CONSUMERS', reply);
  return (reply as unknown[]).map((item) => {
    if (!Array.isArray(item)) fail('XINFO CONSUMERS', reply);
    const info = new Map<unknown, unknown>();
    for (let i = 0; i + 1 < item.length; i += 2) info.set(item[i], item[i + 1]);
    const [name, pending, idleMs] = [info.get('name'), info.get('pending'), info.get('idle')];
    if (typeof name !== 'string' || typeof pending !== 'number' || typeof idleMs !== 'number') {
      fail('XINFO CONSUMERS', reply);
    }
    return { name, pending, idleMs };
  });
}

/** True for the error Redis answers when the stream or its group no longer exists. */
export const isNoGroupError = (err: unknown): boolean =>
  err instanceof Error && err.message.startsWith('NOGROUP');
