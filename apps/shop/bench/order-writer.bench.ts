// P6 (docs/benchmarks.md): `order.placed` → order row in MySQL at 1,000 orders/s. The service runs
// as a user gets it in production (role `all` by default: the order-writer consumes in it); a
// producer process (harness/order-placed-producer.ts) reserves each order in Redis, as placement
// does, and publishes its `order.placed` at a fixed rate. Per order: the row's created_at (stamped
// by the order-writer just before its insert) minus the event's placedAt (stamped by the producer
// just before the publish; same machine, same clock). Target: p99 < 1 s.
//   npm run bench -- p6     (BENCH_RATE=1000 BENCH_SECONDS=20 BENCH_ROLE=all)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { createDatabase } from '../src/db/database.ts';
import { ORDERS_TOPIC } from '../src/modules/orders/order-events.ts';
import { startServiceWithProduct } from './harness/service-with-product.ts';
import { deleteTopicsWithPrefix } from './harness/topics.ts';

const rate = Number(process.env.BENCH_RATE ?? 1000);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const role = process.env.BENCH_ROLE ?? 'all';
const svc = await startServiceWithProduct('p6', { SURGE_ROLE: role });
const { service } = svc;
const config = loadConfig(svc.env);
const { db } = createDatabase({ url: config.mysqlUrl, timeoutMs: 10_000 });
const topicPrefix = svc.env.KAFKA_TOPIC_PREFIX ?? '';
const topic = `${topicPrefix}${ORDERS_TOPIC}`;

const createSale = async () => {
  const now = Date.now();
  const sale = await svc.post(
    '/v1/admin/flash-sales',
    {
      productId: svc.productId,
      stock: 1_000_000,
      priceCents: 49_900,
      startsAt: new Date(now - 1000).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
      perUserLimit: 1_000_000,
    },
    svc.adminToken,
  );
  return String(sale.id);
};

interface Produced {
  sent: number;
  failed: number;
  ratePerSec: number;
  lateTicks: number;
}

const produce = (saleId: string, r: number, s: number) =>
  new Promise<Produced>((resolve, reject) => {
    const script = fileURLToPath(new URL('./harness/order-placed-producer.ts', import.meta.url));
    const child = spawn(process.execPath, [script, topic, saleId, String(r), String(s), '1000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, REDIS_URL: config.redisUrl },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Produced)
        : reject(new Error(`producer exited ${code}: ${out}`)),
    );
  });

const rowsOf = async (saleId: string) =>
  Number(
    (
      await db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('sale_id', '=', saleId)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Polls every 100 ms until `n` rows exist; returns when (ms after the call) or throws after `timeoutMs`. */
async function untilRows(saleId: string, n: number, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const have = await rowsOf(saleId);
    if (have >= n) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`only ${have} of ${n} order rows after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

try {
  // Warm-up on a sale of its own: the worker provisions topics and joins the group first.
  const warmSale = await createSale();
  const warm = await produce(warmSale, 100, 3);
  await untilRows(warmSale, warm.sent - warm.failed, 120_000);

  const saleId = await createSale();
  console.log(
    `P6 order.placed → order row: ${rate}/s for ${seconds} s, role ${role}, producer in its own process`,
  );
  const produced = await produce(saleId, rate, seconds);
  const drainMs = await untilRows(saleId, produced.sent - produced.failed, 120_000);
  const rows = await sql<{ ms: number; status: string }>`
    SELECT TIMESTAMPDIFF(MICROSECOND, placed_at, created_at) / 1000 AS ms, status
    FROM orders WHERE sale_id = ${saleId}
  `.execute(db);
  const ms = rows.rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const r of rows.rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  console.log(
    `produced ${produced.sent} (${produced.ratePerSec.toFixed(0)}/s, ${produced.failed} failed, ` +
      `${produced.lateTicks} late ticks); rows ${JSON.stringify(statuses)}; the last row ${drainMs} ms after the producer ended`,
  );
  console.log(
    `P6 placedAt → created_at: p50 ${pct(ms, 50).toFixed(0)} ms, p99 ${pct(ms, 99).toFixed(0)} ms, ` +
      `max ${(ms.at(-1) ?? NaN).toFixed(0)} ms (target p99 < 1000 ms)`,
  );
  const mem = service.memory();
  console.log(`service RSS at the end ${mem.rssMiB.toFixed(0)} MiB, peak ${mem.peakMiB.toFixed(0)} MiB`);
} finally {
  await db.destroy();
  await service.stop();
  await deleteTopicsWithPrefix(topicPrefix);
}
