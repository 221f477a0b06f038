// The ceiling of P2: a bare Fastify route returning the same JSON bytes as the service's product
// read, in its own process. BENCH_BODY is the body; PORT the port.
import Fastify from 'fastify';

const body = process.env.BENCH_BODY ?? '{}';
const app = Fastify({ logger: false });
app.get('/v1/products/:id', (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
app.get('/ready', () => 'ok');
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
