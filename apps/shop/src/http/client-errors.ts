import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyInstance, onRequestHookHandler } from 'fastify';
import { problem } from './problem.ts';
import { requestIdOf } from './request-id.ts';

/** What Node's HTTP parser refused, as our status and stable code. */
function classify(err: ConnectionError & { reason?: string }): {
  status: number;
  code: string;
  detail: string;
} {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', detail: 'the request did not arrive in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'HEADERS_TOO_LARGE', detail: 'the request headers are too large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'BODY_TOO_LARGE', detail: 'the chunk extensions are too large' };
    default: {
      // llhttp's reason ("Invalid character in Content-Length", …) describes the client's bytes only.
      const reason = typeof err.reason === 'string' ? `: ${err.reason}` : '';
      return { status: 400, code: 'MALFORMED_REQUEST', detail: `the request is not valid HTTP/1.1${reason}` };
    }
  }
}

/** The response of a socket's request in flight, if Fastify got that far (Node's own field). */
const inFlight = (socket: Socket) => (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;

/**
 * Fastify's `clientErrorHandler`: what Node's parser refuses before any request exists — bad
 * `Content-Length`, `Content-Length` with `Transfer-Encoding`, bad chunking, NUL or raw UTF-8 in
 * the URL, headers over the size limit, a request that did not arrive within the timeouts —
 * answered as problem+json with an `x-request-id` like every other error (G9, issue 8 finding
 * 9), instead of Fastify's plain `{"error":"Bad Request"}`. Then the connection closes: the
 * parser cannot resynchronise on that byte stream.
 */
export function clientErrorHandler(this: FastifyInstance, err: ConnectionError, socket: Socket): void {
  // A reset or an already closed socket has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const response = inFlight(socket);
  const id = requestIdOf(response?.req);
  const { status, code, detail } = classify(err);
  this.log.info({ reqId: id, statusCode: status, code, parserCode: err.code }, 'client error');
  // Like Node: answer only if nothing of a response was written on this socket yet.
  if (socket.writable && !response?.headersSent) {
    const body = JSON.stringify(problem(status, code, id, detail));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        'content-type: application/problem+json; charset=utf-8\r\n' +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${id}\r\n` +
        'connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(err);
}

/**
 * Node's `checkExpectation`: an `Expect` other than `100-continue` (RFC 9110 §10.1.1) gets 417
 * as problem+json, instead of Node's empty 417.
 */
export function answerExpectation(req: IncomingMessage, res: ServerResponse): void {
  const id = requestIdOf(req);
  const body = JSON.stringify(
    problem(417, 'EXPECTATION_FAILED', id, 'only "Expect: 100-continue" is supported'),
  );
  res.writeHead(417, {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': id,
  });
  res.end(body);
}

/**
 * RFC 9112 §3.2: an HTTP/1.1 request without `Host` is a 400. Node's own check (turned off in
 * app.ts) answered it with an empty body; this hook answers it as problem+json.
 */
export const requireHost: onRequestHookHandler = (request, reply, done) => {
  if (request.raw.httpVersion !== '1.1' || request.headers.host !== undefined) return done();
  void reply
    .code(400)
    .type('application/problem+json')
    .send(problem(400, 'HOST_REQUIRED', request.id, 'an HTTP/1.1 request needs a Host header'));
};
