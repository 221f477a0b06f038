import { IdempotencyKeyError } from './idempotency-errors.ts';

/** The longest key accepted, in characters (ADR 0017; the draft leaves the bound to the server). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

// RFC 8941 §3.1.2 parameter grammar: key, and the bare items a value may be (§4.2.3).
const PARAM_KEY = /^[a-z*][a-z0-9_\-.*]*/;
const TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/;
const NUMBER = /^-?(?:\d{1,12}\.\d{1,3}|\d{1,15})(?![\d.])/;
const BYTES = /^:[A-Za-z0-9+/=]*:/;
const BOOLEAN = /^\?[01]/;
/** The bare form: visible ASCII without `"`, `\` or `,` (a comma is how duplicate fields join). */
const BARE = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+$/;

const invalid = (why: string) => new IdempotencyKeyError('IDEMPOTENCY_KEY_INVALID', `Idempotency-Key ${why}`);

/** RFC 8941 §4.2.5: a String starting at `input[0] === '"'`; returns the value and the rest. */
function parseSfString(input: string): { value: string; rest: string } {
  let value = '';
  for (let i = 1; i < input.length; i++) {
    const c = input[i]!;
    if (c === '\\') {
      const next = input[++i];
      if (next !== '"' && next !== '\\') throw invalid('has an escape other than \\" or \\\\');
      value += next;
    } else if (c === '"') {
      return { value, rest: input.slice(i + 1) };
    } else if (c < ' ' || c > '~') {
      throw invalid('has a character outside printable ASCII');
    } else {
      value += c;
    }
  }
  throw invalid('has an unterminated string');
}

/** RFC 8941 §4.2.3.2: `*( ";" *SP key [ "=" bare-item ] )`; returns what follows them. */
function skipParameters(input: string): string {
  let rest = input;
  while (rest.startsWith(';')) {
    rest = rest.slice(1).replace(/^ +/, '');
    const key = PARAM_KEY.exec(rest)?.[0];
    if (!key) throw invalid('has a malformed parameter');
    rest = rest.slice(key.length);
    if (!rest.startsWith('=')) continue;
    rest = rest.slice(1);
    if (rest.startsWith('"')) {
      rest = parseSfString(rest).rest;
      continue;
    }
    const item = [NUMBER, TOKEN, BYTES, BOOLEAN].map((re) => re.exec(rest)?.[0]).find(Boolean);
    if (!item) throw invalid('has a malformed parameter value');
    rest = rest.slice(item.length);
  }
  return rest;
}

/**
 * Reads the key from an `Idempotency-Key` header value (draft-ietf-httpapi-idempotency-key-header-07
 * §2.1: an Item Structured Header Field of type String, RFC 8941), e.g. `"8e03978e-40d5"` →
 * `8e03978e-40d5`: escapes `\"` and `\\` are undone, parameters (`"k";x=1`) are checked and
 * ignored, as RFC 8941 asks of fields that define none. The bare form clients also send
 * (`Idempotency-Key: 8e03978e-40d5`, visible ASCII without `"`, `\` and `,`) is accepted as the
 * same key, so `"abc"` and `abc` name one record.
 *
 * Pass Node's `request.headers['idempotency-key']` as is. Throws {@link IdempotencyKeyError}:
 * `IDEMPOTENCY_KEY_MISSING` when the header is absent; `IDEMPOTENCY_KEY_INVALID` when the key is
 * empty, longer than {@link MAX_IDEMPOTENCY_KEY_LENGTH} characters, malformed, or sent in several
 * fields (Node joins repeated fields with `, `, which neither form allows).
 */
export function parseIdempotencyKey(header: string | readonly string[] | undefined): string {
  if (header === undefined) {
    throw new IdempotencyKeyError('IDEMPOTENCY_KEY_MISSING', 'Idempotency-Key header is required');
  }
  if (typeof header !== 'string') {
    if (header.length !== 1) throw invalid('must be sent once');
    return parseIdempotencyKey(header[0]);
  }
  const input = header.replace(/^[ \t]+|[ \t]+$/g, '');
  let key: string;
  if (input.startsWith('"')) {
    const { value, rest } = parseSfString(input);
    if (skipParameters(rest) !== '') throw invalid('has characters after the string');
    key = value;
  } else {
    if (input !== '' && !BARE.test(input)) throw invalid('must be a string ("…") or a bare key');
    key = input;
  }
  if (key.length === 0) throw invalid('is empty');
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw invalid(`is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  return key;
}
