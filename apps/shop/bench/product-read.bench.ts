// P2 (SPEC §12): a warm product read through the whole service (Fastify app, validation, cache
// L1 hit, response schema) vs a bare Fastify route returning the same JSON. Same run, same load
// generator, alternating sides; prints each side's req/s, the ratio and the target (≥ 0.85).
//   node apps/shop/bench/product-read.bench.ts   (BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS)
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { startTestApp } from '../src/testing/test-app.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

const t = await startTestApp({ LOG_LEVEL: 'silent' });
const admin = await t.ctx.tokens.sign({ sub: uuidv7(), role: 'admin', sid: crypto.randomUUID() });
const created = await t.app.inject({
  method: 'POST',
  url: '/v1/admin/products',
  payload: { name: 'Benchmark phone', description: 'A product read many times', priceCents: 49_900 },
  headers: { authorization: `Bearer ${admin}` },
});
const product = created.json<{ id: string }>();
const body = (await t.app.inject({ method: 'GET', url: `/v1/products/${product.id}` })).body;
await t.app.listen({ port: 0, host: '127.0.0.1' });
const ours = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}/v1/products/${product.id}`;

const bare = Fastify({ logger: false });
bare.get('/v1/products/:id', (_req, reply) => reply.type('application/json').send(body));
await bare.listen({ port: 0, host: '127.0.0.1' });
const ceiling = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/v1/products/${product.id}`;

async function load(url: string): Promise<{ rps: number; p99: number; errors: number }> {
  const r = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

console.log(`P2 warm product read: ${rounds} rounds × ${seconds} s × 2 sides, ${connections} connections`);
await load(ceiling); // warm-up both
await load(ours);
const ratios: number[] = [];
for (let i = 1; i <= rounds; i++) {
  const c = await load(ceiling);
  const o = await load(ours);
  const ratio = o.rps / c.rps;
  ratios.push(ratio);
  console.log(
    `round ${i}: bare ${c.rps.toFixed(0)} req/s (p99 ${c.p99} ms) · surge ${o.rps.toFixed(0)} req/s (p99 ${o.p99} ms, errors ${o.errors}) → ratio ${ratio.toFixed(3)}`,
  );
}
ratios.sort((x, y) => x - y);
console.log(`P2 median ratio ${ratios[Math.floor(ratios.length / 2)]?.toFixed(3)} (target ≥ 0.85)`);
await bare.close();
await t.close();
