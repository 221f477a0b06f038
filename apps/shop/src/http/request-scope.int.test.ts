import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { currentRequestSignal } from '../infra/request-scope.ts';
import { requestScope } from './request-scope.ts';

interface Seen {
  aborted: boolean;
  /** The handler's current request signal (what the MySQL pool gate uses) is the same signal. */
  current: boolean;
  code: string | undefined;
}

/**
 * `request.clientSignal` aborts when the client has gone, so work done only for its answer
 * (password hashing, waiting for a MySQL connection) is skipped — issue 8, finding 4: during a
 * login flood the server kept hashing for 369 clients that had already timed out. Fastify's own
 * `request.signal` cannot be used: it aborts once a POST body has been read, client still there.
 * Real sockets on loopback: a client that goes away is a closed TCP connection.
 */
describe('request.clientSignal', () => {
  let app: FastifyInstance;
  let port: number;
  /** Per `x-tag`: the handler has started (resolve with a function that lets it finish). */
  const entered = new Map<string, PromiseWithResolvers<() => void>>();
  const finished = new Map<string, PromiseWithResolvers<Seen>>();
  const slot = <T>(m: Map<string, PromiseWithResolvers<T>>, tag: string) => {
    let s = m.get(tag);
    if (!s) m.set(tag, (s = Promise.withResolvers<T>()));
    return s;
  };

  before(async () => {
    app = Fastify();
    await app.register(requestScope);
    const handler = async (request: FastifyRequest) => {
      const tag = String(request.headers['x-tag']);
      const signal = request.clientSignal;
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => resolve(), { once: true });
        slot(entered, tag).resolve(resolve);
      });
      const seen = {
        aborted: signal.aborted,
        current: currentRequestSignal() === signal,
        code: (signal.reason as { code?: string } | undefined)?.code,
      };
      slot(finished, tag).resolve(seen);
      return seen;
    };
    app.get('/wait', handler);
    app.post('/wait', handler);
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  after(() => app.close());

  for (const method of ['GET', 'POST'] as const) {
    it(`aborts when the client closes its connection before the answer (${method})`, async () => {
      const tag = `gone-${method}`;
      const body = method === 'POST' ? '{"a":1}' : '';
      const socket = connect(port, '127.0.0.1');
      socket.write(
        `${method} /wait HTTP/1.1\r\nHost: t\r\nx-tag: ${tag}\r\ncontent-type: application/json\r\n` +
          `content-length: ${body.length}\r\n\r\n${body}`,
      );
      await slot(entered, tag).promise;
      socket.destroy();
      assert.deepEqual(await slot(finished, tag).promise, {
        aborted: true,
        current: true,
        code: 'CLIENT_CLOSED_REQUEST',
      });
    });
  }

  it('does not abort while a client that sent a body waits for its answer (unlike request.signal)', async () => {
    const answer = fetch(`http://127.0.0.1:${port}/wait`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tag': 'stays' },
      body: '{"a":1}',
    });
    const finish = await slot(entered, 'stays').promise;
    finish();
    const res = await answer;
    assert.deepEqual(await res.json(), { aborted: false, current: true });
  });
});
