import fc from 'fast-check';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';

/**
 * Values a hostile or broken client sends: each arbitrary here is one family of bad input the
 * service must answer with a 4xx (never a 5xx, never a crash). Strings are JavaScript strings;
 * `wire*` arbitraries are already in the form they travel in (percent-encoded or raw bytes).
 */

/** Lone surrogates: valid in a JavaScript string, not in UTF-8 (encoders turn them into U+FFFD). */
const LONE_SURROGATES = ['\ud800', '\udfff', 'a\udbffb', '\udc00\ud800'];

/** Strings that have broken parsers, databases and loggers somewhere. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\r\n',
    '\t',
    '%zz',
    '%',
    '%00',
    '..',
    '../../etc/passwd',
    '\u202e\u0645',
    '\u200b',
    '\ufeff',
    '😀',
    'ｕnï',
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    '<script>alert(1)</script>',
    '${jndi:ldap://x}',
    '{{7*7}}',
    '__proto__',
    'constructor',
    'null',
    'undefined',
    'NaN',
    '-1',
    '1e309',
    ...LONE_SURROGATES,
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  // Past every length limit, yet short of the 16 KB header limit when it is sent in a URL.
  fc.integer({ min: 101, max: 5_000 }).map((n) => 'x'.repeat(n)),
);

/** Percent-encodes a string byte by byte; lone surrogates become their (invalid) WTF-8 bytes. */
export function percentEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const bytes =
      cp >= 0xd800 && cp <= 0xdfff
        ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
        : [...Buffer.from(ch)];
    out += /^[A-Za-z0-9\-._~]$/.test(ch)
      ? ch
      : bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** A UUID path segment that is valid, well-formed but unknown, or malformed, as sent on the wire. */
export const wireIdSegment = (known: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant(uuidv7()) },
    { weight: 3, arbitrary: fc.uuid({ version: 7 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        uuidv4(),
        uuidv7().toUpperCase(),
        uuidv7().replaceAll('-', ''),
        `${uuidv7()}0`,
      ),
    },
    { weight: 4, arbitrary: wireSegment },
  );

/** A path segment in wire form: percent-encoded hostile strings, and raw bytes encoders refuse. */
export const wireSegment: fc.Arbitrary<string> = fc.oneof(
  hostileString.map(percentEncode),
  fc.constantFrom('%zz', '%', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF', '%2F', '%2e%2e', 'a%00b', '%u0041'),
  fc.integer({ min: 90, max: 2000 }).map((n) => 'a'.repeat(n)),
);

/** A query value in wire form (valid values are added by the caller from the schema). */
export const wireQueryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    ...[
      '0',
      '-1',
      '101',
      '1.5',
      '1e2',
      '0x2',
      '0b1',
      '+1',
      '%2B1',
      '%201',
      '1%20',
      '01',
      'true',
      'false',
      'null',
      '',
    ],
    ...['NaN', 'Infinity', '-0', '99999999999999999999', '9007199254740993', '1%00', '%zz', '%ED%A0%80'],
  ),
  hostileString.map(percentEncode),
);

/** Unknown, repeated, bracketed and malformed query parameters, as a raw `a=b&c` fragment. */
export const wireQueryNoise: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('&&&', '=', '==', '&=&', '?', 'a', 'a[]=1', 'a[b]=c', '__proto__=1', 'constructor[x]=1'),
  fc.tuple(fc.stringMatching(/^[a-z_]{1,12}$/), wireQueryValue).map(([k, v]) => `${k}=${v}`),
);

/** Authorization header values that are not a valid credential for this service. */
export const garbageAuthorization: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'bearer abc.def.ghi',
    'Bearer a.b.c',
    'Bearer ...',
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.',
    'Basic YWRtaW46YWRtaW4=',
    'Token abc',
    `Bearer ${'a'.repeat(8000)}.b.c`,
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => `Bearer ${s}`),
  fc
    .tuple(fc.base64String(), fc.base64String(), fc.base64String())
    .map((parts) => `Bearer ${parts.map((p) => p.replaceAll('=', '')).join('.')}`),
);

/** `Idempotency-Key` variants (issue 9 gives it meaning; until then it must at least be harmless). */
export const idempotencyKey: fc.Arbitrary<string> = fc.oneof(
  fc.uuid({ version: 4 }),
  fc.constantFrom('', ' ', 'a', '"quoted"', 'x'.repeat(300), 'ключ'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
);

/** Content types a JSON endpoint is sent; most must be refused with 415, not mis-parsed. */
export const contentType: fc.Arbitrary<string> = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/JSON',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json;;;',
  'application/merge-patch+json',
  'application/problem+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/plain',
  'text/json',
  '*/*',
  'json',
  '',
);

/** Bodies that are not the JSON object the endpoint expects, in wire form. */
export const wireBadBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom('', 'null', '[]', '"x"', '0', 'true', '{', '}', '{"a":}', '{"a" "b"}', "{'a':1}", 'NaN'),
  fc.constantFrom('\ufeff{}', '{}garbage', '{} {}', '{"a":1,"a":2}', '{"__proto__":{"x":1}}', '{"a":1e999}'),
  fc.constantFrom('{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"\\ud800":1}', '{"a":"\\x41"}'),
  fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])),
  fc.constant(Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00])),
  fc.integer({ min: 1, max: 8_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 3_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.integer({ min: 16 * 1024 - 16, max: 64 * 1024 }).map((n) => JSON.stringify({ a: 'x'.repeat(n) })),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
);

/** A JSON value of the wrong kind for any field: each type, hostile strings, bounds, nesting. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0, {}, [], [1], { a: 1 }),
  fc.constantFrom(
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    -Number.MAX_SAFE_INTEGER - 2,
    2 ** 31,
    2 ** 63,
    1e308,
    Number.MIN_VALUE,
  ),
  hostileString,
  fc.integer({ min: 20, max: 2_000 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown),
  fc.jsonValue({ maxDepth: 3 }),
);
