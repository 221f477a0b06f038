import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { rawRequest, type RawResponse } from '../testing/raw-http.ts';
import { startTestApp, type TestApp } from '../testing/test-app.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const assertProblem = (res: RawResponse, status: number, code: string) => {
  assert.equal(res.status, status, res.body);
  assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/, JSON.stringify(res.headers));
  const body = JSON.parse(res.body) as { code: string; status: number; instance: string; type: string };
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  assert.match(res.headers['x-request-id'] ?? '', UUID);
  assert.equal(body.instance, res.headers['x-request-id']);
  return body;
};

/**
 * Issue 8, finding 9 (G9): what Node's HTTP parser and Fastify's router refuse before a route
 * runs answered as plain JSON, an empty body or Node's `{"error":"Bad Request"}`, without an
 * `x-request-id`. Each reproduction is sent byte for byte on a raw socket.
 */
describe('requests refused before any route runs get problem+json with an x-request-id', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await startTestApp();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(() => t.close());

  const send = (payload: string | Buffer) => rawRequest(port, payload, { untilResponse: true });
  const post = (headers: string, body = '') =>
    send(`POST /v1/sessions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n${headers}\r\n${body}`);

  it('GET /v1/products/%zz → 400 BAD_URL', async () => {
    assertProblem(await send('GET /v1/products/%zz HTTP/1.1\r\nHost: a\r\n\r\n'), 400, 'BAD_URL');
  });

  it('a path parameter over 100 characters → 414 URI_TOO_LONG', async () => {
    const res = await send(`GET /v1/products/${'a'.repeat(101)} HTTP/1.1\r\nHost: a\r\n\r\n`);
    assertProblem(res, 414, 'URI_TOO_LONG');
  });

  it('headers over 16 KiB → 431 HEADERS_TOO_LARGE', async () => {
    const res = await send(`GET /health/live HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`);
    assertProblem(res, 431, 'HEADERS_TOO_LARGE');
  });

  it('Content-Length: -1 → 400 MALFORMED_REQUEST', async () => {
    assertProblem(await post('Content-Length: -1\r\n', '{}'), 400, 'MALFORMED_REQUEST');
  });

  it('Content-Length with Transfer-Encoding → 400 MALFORMED_REQUEST (no request smuggling)', async () => {
    const res = await post('Content-Length: 2\r\nTransfer-Encoding: chunked\r\n', '2\r\n{}\r\n0\r\n\r\n');
    assertProblem(res, 400, 'MALFORMED_REQUEST');
  });

  it('a bad chunk size → 400 MALFORMED_REQUEST', async () => {
    assertProblem(
      await post('Transfer-Encoding: chunked\r\n', 'zz\r\n{}\r\n0\r\n\r\n'),
      400,
      'MALFORMED_REQUEST',
    );
  });

  it('NUL or raw UTF-8 in the URL → 400 MALFORMED_REQUEST', async () => {
    for (const url of ['/v1/products/\u0000abc', '/v1/products/é']) {
      const res = await send(Buffer.from(`GET ${url} HTTP/1.1\r\nHost: a\r\n\r\n`, 'utf8'));
      assertProblem(res, 400, 'MALFORMED_REQUEST');
    }
  });

  it('not HTTP at all → 400 MALFORMED_REQUEST, and the connection closes', async () => {
    const res = await rawRequest(port, 'HELLO\r\n\r\n');
    assertProblem(res, 400, 'MALFORMED_REQUEST');
    assert.equal(res.closedByServer, true);
  });

  it('HTTP/1.1 without Host → 400 HOST_REQUIRED; HTTP/1.0 needs none', async () => {
    assertProblem(await send('GET /health/live HTTP/1.1\r\n\r\n'), 400, 'HOST_REQUIRED');
    assert.equal((await send('GET /health/live HTTP/1.0\r\n\r\n')).status, 200);
  });

  it('Expect: 200-ok → 417 EXPECTATION_FAILED; 100-continue still works', async () => {
    assertProblem(await post('Expect: 200-ok\r\nContent-Length: 2\r\n', '{}'), 417, 'EXPECTATION_FAILED');
    const res = await post('Expect: 100-continue\r\nContent-Length: 2\r\n', '{}');
    assert.equal(res.status, 100);
  });

  it('a well-formed incoming x-request-id is kept, as on every other answer', async () => {
    const res = await post('X-Request-Id: trace-me-1\r\nExpect: 200-ok\r\nContent-Length: 2\r\n', '{}');
    assert.equal(res.headers['x-request-id'], 'trace-me-1');
    assert.equal((JSON.parse(res.body) as { instance: string }).instance, 'trace-me-1');
  });
});
