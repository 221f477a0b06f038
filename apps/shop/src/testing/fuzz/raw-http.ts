import { connect } from 'node:net';
import type { SeenResponse } from './g9-response.ts';

/** Bytes read from one response at most; a larger answer is cut (the checks need its head). */
const MAX_RESPONSE_BYTES = 1024 * 1024;

function decodeChunked(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Skips interim (1xx) responses, such as the `100 Continue` an `Expect` header asks for. */
function finalResponse(raw: Buffer): Buffer {
  let at = 0;
  while (/^HTTP\/1\.[01] 1\d\d/.test(raw.subarray(at, at + 12).toString('latin1'))) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    at = end + 4;
  }
  return raw.subarray(at);
}

/** Parses one HTTP/1.1 response; undefined when the bytes hold none (the server just closed). */
export function parseResponse(bytes: Buffer): SeenResponse | undefined {
  const raw = finalResponse(bytes);
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  if (status === undefined) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers['transfer-encoding']?.includes('chunked')) body = decodeChunked(body);
  else if (headers['content-length'] !== undefined)
    body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(status), headers, body: body.toString('utf8') };
}

/** True once `raw` holds a whole response (head, then its body unless `noBody`). */
function complete(bytes: Buffer, noBody: boolean): boolean {
  const raw = finalResponse(bytes);
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return false;
  if (noBody) return true;
  const head = raw.subarray(0, end).toString('latin1').toLowerCase();
  const length = /\r\ncontent-length: *(\d+)/.exec(head)?.[1];
  if (length !== undefined) return raw.length - end - 4 >= Number(length);
  if (/\r\ntransfer-encoding: *chunked/.test(head))
    return raw.subarray(-5).toString('latin1') === '0\r\n\r\n';
  return false;
}

/**
 * Writes `request` (bytes exactly as given: the point is what a real client can send that
 * `inject` cannot) to a fresh connection and reads one response: until it is whole, the server
 * closes, or `timeoutMs` passes. Resolves the bytes read; rejects only when it cannot connect.
 * `noBody`: the response has no body whatever its headers say (an answer to HEAD).
 */
export function sendRaw(
  port: number,
  request: Buffer,
  opts: { noBody?: boolean; timeoutMs?: number } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let connected = false;
    const socket = connect({ host: '127.0.0.1', port });
    const done = () => {
      socket.destroy();
      resolve(Buffer.concat(chunks));
    };
    socket.setTimeout(opts.timeoutMs ?? 10_000, done);
    socket.on('connect', () => {
      connected = true;
      // The server may answer and close before it has read everything: a write error then is fine.
      socket.write(request, () => {});
    });
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      size += d.length;
      if (size >= MAX_RESPONSE_BYTES || complete(Buffer.concat(chunks), opts.noBody ?? false)) done();
    });
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', (err) => (connected ? done() : reject(err)));
  });
}
