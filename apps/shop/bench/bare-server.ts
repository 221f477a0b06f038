// The ceiling of P2: a bare Fastify route returning the same JSON bytes as the service's product
// read, in its own process. BENCH_BODY is the body; PORT the port.
//
// BENCH_BARE_VARIANT (diagnosis, docs/benchmarks.md "Where the time goes"; default `plain`):
//   plain     the ceiling P2 is measured against
//   features  + what every Surge request has at the HTTP level: the service's server timeouts, a
//             UUID request id in `x-request-id`, an `onRequest` close listener, an `onResponse`
//             hook and an async handler — no Surge code
//   varied    plain, after answering 5,000 varied responses on another route before it is ready
//             (404/503/202, problem+json, numeric and array header values, Set-Cookie, RateLimit
//             fields): Node's and Fastify's response path as a real service has exercised it
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyHttpOptions } from 'fastify';
import type { Server } from 'node:http';

const body = process.env.BENCH_BODY ?? '{}';
const variant = process.env.BENCH_BARE_VARIANT ?? 'plain';
if (!['plain', 'features', 'varied'].includes(variant)) {
  throw new Error(`BENCH_BARE_VARIANT must be plain, features or varied, got ${variant}`);
}
const features = variant === 'features';
const options: FastifyHttpOptions<Server> = features
  ? {
      logger: false,
      requestTimeout: 15_000,
      keepAliveTimeout: 72_000,
      http: { headersTimeout: 10_000, requestTimeout: 15_000, connectionsCheckingInterval: 1000 },
      genReqId: () => randomUUID(),
      requestIdHeader: false,
    }
  : { logger: false };
const app = Fastify(options);
if (features) {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    reply.raw.once('close', () => {});
    done();
  });
  app.addHook('onResponse', (_request, _reply, done) => done());
}
const send = (reply: { type(t: string): { send(b: string): unknown } }) =>
  reply.type('application/json; charset=utf-8').send(body);
if (features) {
  app.get('/v1/products/:id', async (_request, reply) => {
    await Promise.resolve();
    return send(reply);
  });
} else {
  app.get('/v1/products/:id', (_request, reply) => send(reply));
}
app.get('/varied/:n', (request, reply) => {
  const n = Number((request.params as { n: string }).n);
  if (n % 5 === 0) void reply.header('x-count', n).header('set-cookie', ['a=1', 'b=2']);
  if (n % 5 === 1)
    void reply.code(404).header('content-type', 'application/problem+json').header('retry-after', 1);
  if (n % 5 === 2) void reply.header('ratelimit-policy', '"p";q=5;w=60').header('ratelimit', '"p";r=4;t=1');
  if (n % 5 === 3) void reply.code(503).header('retry-after', '1').header('www-authenticate', 'Bearer');
  if (n % 5 === 4) void reply.code(202).header('location', '/v1/orders/x');
  return { n, pad: 'x'.repeat(n % 50) };
});
let ready = variant !== 'varied';
app.get('/ready', (_request, reply) => (ready ? 'ok' : reply.code(503).send('warming')));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
if (!ready) {
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  for (let i = 0; i < 5000; i++)
    await (await fetch(`${base}/varied/${i}`, { signal: AbortSignal.timeout(10_000) })).text();
  ready = true;
}
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
