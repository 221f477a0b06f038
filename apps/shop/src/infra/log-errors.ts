import { stdSerializers } from 'pino';

/** Fields that carry a statement's data: mysql2's `sql` (the query with its values inlined) and kin. */
const DATA_FIELDS = ['sql', 'sqlMessage', 'parameters', 'values'] as const;

/**
 * Words after which MySQL quotes a name (kept); every other quoted literal is a value (masked):
 * `Duplicate entry 'ada@example.com' for key 'email'` → `Duplicate entry '?' for key 'email'`.
 */
const NAME_BEFORE_QUOTE =
  /\b(?:key|column|table|database|field|index|constraint|function|procedure|user|schema)\s*$/i;
const QUOTED = /'(?:[^'\\]|\\.)*'/g;

/** A MySQL server error message with the values it quotes masked and the names it quotes kept. */
export function maskSqlValues(message: string): string {
  return message.replace(QUOTED, (literal, offset: number) =>
    NAME_BEFORE_QUOTE.test(message.slice(0, offset)) ? literal : "'?'",
  );
}

const isSqlError = (e: unknown): e is Error & { sqlState: string } =>
  e instanceof Error && typeof (e as { sqlState?: unknown }).sqlState === 'string';

/** The errors in `err`'s `cause` and `errors` chains, itself included. */
function chainOf(err: unknown, found = new Set<unknown>()): Set<unknown> {
  if (err === null || typeof err !== 'object' || found.has(err)) return found;
  found.add(err);
  chainOf((err as { cause?: unknown }).cause, found);
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors)) for (const e of errors) chainOf(e, found);
  return found;
}

type Serialized = Record<string, unknown>;

/** Drops data-carrying fields and replaces raw SQL messages in every string, depth first. */
function scrub(node: Serialized, replacements: ReadonlyArray<[string, string]>): void {
  for (const field of DATA_FIELDS) delete node[field];
  // ioredis errors carry the command with its arguments (keys, values, tokens): keep the name.
  const command = node.command as { name?: unknown } | undefined;
  if (command !== null && typeof command === 'object') node.command = { name: command.name };
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'string') {
      node[key] = replacements.reduce((s, [raw, masked]) => s.replaceAll(raw, masked), value);
    } else if (Array.isArray(value)) {
      for (const v of value) if (v !== null && typeof v === 'object') scrub(v as Serialized, replacements);
    } else if (value !== null && typeof value === 'object') {
      scrub(value as Serialized, replacements);
    }
  }
}

/**
 * pino's `err` serializer without personal data (issue 8, finding 12: a consumer's failed
 * insert logged its full SQL with the event's email): no `sql`/`sqlMessage`/parameters, values
 * quoted in MySQL messages masked wherever they appear (wrappers such as the router's
 * `RetriesExhaustedError` repeat their cause's message and stack), and Redis commands without
 * their arguments. The error's type, code, errno, SQL state and stack frames stay.
 */
export function serializeErrorForLog(err: unknown): unknown {
  const serialized = stdSerializers.err(err as Error) as unknown;
  if (serialized === null || typeof serialized !== 'object') return serialized;
  const replacements: Array<[string, string]> = [];
  for (const e of chainOf(err)) {
    if (!isSqlError(e)) continue;
    const masked = maskSqlValues(e.message);
    if (masked !== e.message) replacements.push([e.message, masked]);
  }
  scrub(serialized as Serialized, replacements);
  return serialized;
}
