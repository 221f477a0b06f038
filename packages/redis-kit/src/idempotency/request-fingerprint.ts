import { createHash } from 'node:crypto';

/**
 * Serialises a JSON value canonically (RFC 8785, JSON Canonicalization Scheme): object members
 * sorted by the UTF-16 code units of their names, no whitespace, strings and numbers as
 * `JSON.stringify` writes them (which is what RFC 8785 specifies). So `{"b":1,"a":[2]}` and
 * `{ "a": [2], "b": 1 }` give the same text. `toJSON` is honoured and `undefined` members are left
 * out, as `JSON.stringify` does. Throws a TypeError on what JSON cannot carry: non-finite numbers,
 * bigints, functions, symbols, `undefined` outside an object member, cycles.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  const v: unknown =
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
      ? (value as { toJSON: () => unknown }).toJSON()
      : value;
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`canonicalJson: ${v} is not a JSON number`);
    return JSON.stringify(v);
  }
  if (typeof v !== 'object') throw new TypeError(`canonicalJson: a ${typeof v} is not a JSON value`);
  if (seen.has(v)) throw new TypeError('canonicalJson: the value is cyclic');
  seen.add(v);
  let text: string;
  if (Array.isArray(v)) {
    text = `[${v.map((item: unknown) => write(item, seen)).join(',')}]`;
  } else {
    const members = Object.keys(v)
      .filter((name) => (v as Record<string, unknown>)[name] !== undefined)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${write((v as Record<string, unknown>)[name], seen)}`);
    text = `{${members.join(',')}}`;
  }
  seen.delete(v);
  return text;
}

/** What identifies a request's payload (Idempotency-Key draft -07 §2.4): method, path and body. */
export interface FingerprintInput {
  /** HTTP method; case-insensitive (`post` = `POST`). */
  method: string;
  /**
   * The path the request targets. Include the query string when it changes what the request
   * does; leave it out when it does not.
   */
  path: string;
  /** The parsed JSON body; `undefined` for a request without one (distinct from `null`). */
  body?: unknown;
}

/**
 * The request fingerprint of the Idempotency-Key draft (-07 §2.4): the lowercase hex SHA-256 of
 * the canonical JSON ({@link canonicalJson}) of `{method, path, body}`, so a retry with the same
 * payload matches whatever the order of its members or its whitespace, and any change of method,
 * path or body does not. 64 characters. Throws a TypeError when the body is not a JSON value.
 */
export function requestFingerprint(input: FingerprintInput): string {
  const payload = { method: input.method.toUpperCase(), path: input.path, body: input.body };
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}
