// The ceiling of P1: a bare Fastify route doing one `EVALSHA` of the placement's own reserve script
// (reserve-5.lua) against the same Redis, in its own process — no auth, limits, idempotency
// record or Kafka. The orderId is the Idempotency-Key, the buyer the Authorization header.
// BENCH_SALE_ID: a sale the bench warmed into Redis; REDIS_URL; PORT.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { saleKeys } from '../src/modules/flash-sales/sale-stock.ts';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const lua = readFileSync(new URL('../src/modules/flash-sales/reserve-5.lua', import.meta.url), 'utf8');
const sha = (await redis.script('LOAD', lua)) as string;

const app = Fastify({ logger: false });
app.post<{ Params: { id: string }; Body: { quantity: number } }>(
  '/v1/flash-sales/:id/orders',
  async (request, reply) => {
    const orderId = String(request.headers['idempotency-key'] ?? '');
    const userId = String(request.headers.authorization ?? '').slice(-24);
    const { quantity } = request.body;
    const k = saleKeys(request.params.id);
    const r = (await redis.evalsha(
      sha,
      5,
      k.stock,
      k.meta,
      k.users,
      k.orders,
      k.open,
      orderId,
      userId,
      quantity,
    )) as [string, ...unknown[]];
    if (r[0] !== 'OK') return reply.code(409).send({ code: r[0] });
    return reply
      .code(202)
      .header('location', `/v1/orders/${orderId}`)
      .send({ orderId, status: 'pending', saleId: request.params.id, quantity });
  },
);
app.get('/ready', () => 'ok');
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.on('SIGTERM', () => void app.close().then(() => (redis.disconnect(), process.exit(0))));
