import fc from 'fast-check';
import { urlOf, type FuzzRequest } from './fuzz-request.ts';

const CRLF = '\r\n';

/** A generated request as HTTP/1.1 bytes (one connection each, so `Connection: close`). */
export function wireBytes(r: FuzzRequest, authorization: string | undefined): Buffer {
  const body = r.body === undefined ? undefined : Buffer.from(r.body);
  const head = [
    `${r.method} ${urlOf(r)} HTTP/1.1`,
    'host: 127.0.0.1',
    'connection: close',
    ...(authorization === undefined ? [] : [`authorization: ${authorization}`]),
    ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`),
    ...(body === undefined ? [] : [`content-length: ${body.length}`]),
  ];
  return Buffer.concat([Buffer.from(head.join(CRLF) + CRLF + CRLF, 'utf8'), body ?? Buffer.alloc(0)]);
}

/** A request only a socket can carry: bytes `inject` would never produce. */
export interface FramingCase {
  name: string;
  bytes: Buffer;
}

const raw = (name: string, ...parts: Array<string | Buffer>): FramingCase => ({
  name,
  bytes: Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))),
});

const JSON_POST = (extra: string, body: string) =>
  `POST /v1/users HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\n${extra}\r\n${body}`;

/**
 * Malformed framing (request line, headers, lengths, chunking): what Node's HTTP parser refuses
 * before Fastify sees a request, and what only it parses. Issue 8, finding 9 lists most of them.
 * Every one is complete: none leaves the server waiting for bytes that never come.
 */
export const FRAMING_CASES: readonly FramingCase[] = [
  raw('content-length -1', JSON_POST('content-length: -1\r\n', '{}')),
  raw(
    'content-length and chunked',
    JSON_POST('content-length: 2\r\ntransfer-encoding: chunked\r\n', '0\r\n\r\n'),
  ),
  raw('two content-lengths', JSON_POST('content-length: 2\r\ncontent-length: 3\r\n', '{}')),
  raw('bad chunk size', JSON_POST('transfer-encoding: chunked\r\n', 'zz\r\n{}\r\n0\r\n\r\n')),
  raw('chunked without its end', JSON_POST('transfer-encoding: chunked\r\n', '2\r\n{}\r\n\r\n')),
  raw('transfer-encoding gzip', JSON_POST('transfer-encoding: gzip\r\n', '{}')),
  raw('NUL in the path', 'GET /v1/products/\u0000 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'),
  raw('space in the path', 'GET /v1/products/a b HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'),
  raw(
    'raw UTF-8 in the path',
    'GET /v1/products/',
    Buffer.from('é日😀'),
    ' HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
  ),
  raw(
    'invalid UTF-8 in the path',
    'GET /v1/products/',
    Buffer.from([0xed, 0xa0, 0x80, 0xff]),
    ' HTTP/1.1\r\nhost: x\r\n\r\n',
  ),
  raw('no Host', 'GET /v1/me HTTP/1.1\r\nconnection: close\r\n\r\n'),
  raw('two Hosts', 'GET /health/live HTTP/1.1\r\nhost: a\r\nhost: b\r\nconnection: close\r\n\r\n'),
  raw('Expect: 200-ok', JSON_POST('content-length: 2\r\nexpect: 200-ok\r\n', '{}')),
  raw('Expect: 100-continue', JSON_POST('content-length: 2\r\nexpect: 100-continue\r\n', '{}')),
  raw('unknown method', 'FOO /v1/me HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'),
  raw('lower-case method', 'get /v1/me HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'),
  raw('HTTP/2.0 request line', 'GET /v1/me HTTP/2.0\r\nhost: x\r\nconnection: close\r\n\r\n'),
  raw('HTTP/1.0 without Host', 'GET /health/live HTTP/1.0\r\n\r\n'),
  raw(
    'absolute-form target',
    'GET http://evil.example/v1/me HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
  ),
  raw('asterisk target', 'OPTIONS * HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'),
  raw(
    'obsolete line folding',
    'GET /v1/me HTTP/1.1\r\nhost: x\r\nauthorization: Bearer\r\n a.b.c\r\nconnection: close\r\n\r\n',
  ),
  raw('space before the colon', 'GET /v1/me HTTP/1.1\r\nhost : x\r\nconnection: close\r\n\r\n'),
  raw('bare LF line ends', 'GET /v1/me HTTP/1.1\nhost: x\nconnection: close\n\n'),
  raw(
    'NUL in a header value',
    'GET /v1/me HTTP/1.1\r\nhost: x\r\nx-request-id: a\u0000b\r\nconnection: close\r\n\r\n',
  ),
  raw('CR in a header value', 'GET /v1/me HTTP/1.1\r\nhost: x\r\nx-a: a\rb\r\nconnection: close\r\n\r\n'),
  raw('header without a name', 'GET /v1/me HTTP/1.1\r\nhost: x\r\n: a\r\nconnection: close\r\n\r\n'),
  raw(
    'a 20 KB header',
    `GET /v1/me HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\nconnection: close\r\n\r\n`,
  ),
  raw(
    'a 20 KB request target',
    `GET /v1/products/${'a'.repeat(20_000)} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`,
  ),
  raw('content-length beyond the body limit', JSON_POST(`content-length: ${2 ** 40}\r\n`, '{}')),
  raw('content-length not a number', JSON_POST('content-length: 1e3\r\n', '{}')),
];

/** Random bytes, and random request lines before well-formed headers. */
export const randomFraming: fc.Arbitrary<FramingCase> = fc.oneof(
  fc
    .uint8Array({ minLength: 1, maxLength: 200 })
    .map((bytes) => raw('random bytes', Buffer.from(bytes), '\r\n\r\n')),
  fc
    .string({ unit: 'binary-ascii', minLength: 1, maxLength: 60 })
    .map((line) => raw('random request line', `${line}\r\nhost: x\r\nconnection: close\r\n\r\n`)),
);
