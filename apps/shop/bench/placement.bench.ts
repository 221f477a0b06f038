// P1 (docs/benchmarks.md): order placement through the whole service — production profile, default
// log level, a real token per buyer, the placement rate limits — vs a bare Fastify route doing one
// `EVALSHA` of the same reserve script (reserve-5.lua) against the same Redis (bare-placement-server.ts).
// Both are their own processes; the load generator (wrk with harness/placement.lua: a unique
// Idempotency-Key per request, tokens rotating over the buyers; else autocannon in a child process)
// is a third. Alternating rounds, median ratio; then the p99 of each side at half Surge's maximum
// rate (harness/placement-load.ts, autocannon's fixed overall rate, in its own process); and the
// service's RSS peak over the whole run (M1).
//   npm run bench -- p1     (BENCH_SECONDS=8 BENCH_ROUNDS=3 BENCH_CONNECTIONS=50 BENCH_BUYERS=20000
//                            BENCH_ROLE=api BENCH_HALF_RATE_SECONDS=10)
// Limits in force: per buyer and per sale at their production defaults (RATE_LIMIT_PLACEMENT_USER
// 10/10s, RATE_LIMIT_PLACEMENT_SALE 5000/1s); the per-IP limit is raised to 1000000/1s because
// every request comes from 127.0.0.1 (at its default, 300/10s, the bench would measure the limit).
// Enough buyers (BENCH_BUYERS) that none reaches its own limit: every non-202 answer is printed.
import { spawn } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.ts';
import { createDatabase } from '../src/db/database.ts';
import { createSaleStock, saleKeys } from '../src/modules/flash-sales/sale-stock.ts';
import { createTokenService } from '../src/modules/sessions/tokens.ts';
import { createBuyers } from '../storm/storm-buyers.ts';
import { load, wrkInstalled, type LoadResult } from './harness/load.ts';
import { median, startScript } from './harness/processes.ts';
import { startServiceWithProduct } from './harness/service-with-product.ts';
import { deleteTopicsWithPrefix, provisionOrdersTopic } from './harness/topics.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const buyerCount = Number(process.env.BENCH_BUYERS ?? 20_000);
const role = process.env.BENCH_ROLE ?? 'api';
const halfSeconds = Number(process.env.BENCH_HALF_RATE_SECONDS ?? 10);
const STOCK = 1_000_000;
const tag = crypto.randomUUID().slice(0, 8);
const LIMITS = {
  RATE_LIMIT_PLACEMENT_IP: '1000000/1s',
};

const svc = await startServiceWithProduct('p1', { SURGE_ROLE: role, ...LIMITS });
const { service } = svc;
const config = loadConfig(svc.env);
const { db } = createDatabase({ url: config.mysqlUrl, timeoutMs: 10_000 });
const redis = new Redis(config.redisUrl);
const tokensFile = `/tmp/surge-bench-p1-tokens-${tag}.txt`;
let bare: Awaited<ReturnType<typeof startScript>> | undefined;
const ceilingSale = crypto.randomUUID();

// RSS sampled every 250 ms while the bench runs (VmHWM also covers the gaps).
let rssPeakMiB = 0;
const sampler = setInterval(() => {
  try {
    rssPeakMiB = Math.max(rssPeakMiB, service.memory().rssMiB);
  } catch {
    // the service is gone; the bench fails elsewhere
  }
}, 250);

const topicPrefix = svc.env.KAFKA_TOPIC_PREFIX ?? '';
try {
  // Role api publishes order.placed but never provisions topics (the worker role does).
  if (role === 'api') await provisionOrdersTopic(topicPrefix);
  const now = Date.now();
  const sale = await svc.post(
    '/v1/admin/flash-sales',
    {
      productId: svc.productId,
      stock: STOCK,
      priceCents: 49_900,
      startsAt: new Date(now - 1000).toISOString(),
      endsAt: new Date(now + 2 * 3_600_000).toISOString(),
      perUserLimit: STOCK,
    },
    svc.adminToken,
  );
  const saleId = String(sale.id);
  // The ceiling's own sale, same window and stock, warmed by the same script.
  await createSaleStock(redis, { tombstoneTtlMs: 3_600_000 }).warm(
    ceilingSale,
    {
      stock: STOCK,
      startsAtMs: now - 1000,
      endsAtMs: now + 2 * 3_600_000,
      perUserLimit: STOCK,
      expireAtMs: now + 3 * 3_600_000,
    },
    'new',
  );

  const t0 = Date.now();
  const tokens = await createTokenService({
    ...config.jwt,
    privateKeyPem: svc.env.JWT_PRIVATE_KEY ?? '',
    publicKeyPem: svc.env.JWT_PUBLIC_KEY ?? '',
  });
  const buyers = await createBuyers(db, tokens, buyerCount);
  writeFileSync(tokensFile, buyers.map((b) => b.authorization).join('\n') + '\n');
  console.log(`${buyers.length} buyers with tokens in ${Date.now() - t0} ms`);

  bare = await startScript(
    'bare-placement-server.ts',
    { REDIS_URL: config.redisUrl },
    '/ready',
    `/tmp/surge-bench-bare-placement-${tag}.log`,
  );
  const ours = `${service.baseUrl}/v1/flash-sales/${saleId}/orders`;
  const ceiling = `${bare.baseUrl}/v1/flash-sales/${ceilingSale}/orders`;
  for (const url of [ours, ceiling]) {
    const res = await fetch(url, {
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
      headers: {
        'content-type': 'application/json',
        authorization: buyers[0]?.authorization ?? '',
        'idempotency-key': `check-${tag}`,
      },
      body: '{"quantity":1}',
    });
    if (res.status !== 202) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  }

  let runNo = 0;
  /** Closed-loop load; the rate counts 202s only (a 429 or 409 is cheaper and would flatter it). */
  const maxLoad = async (url: string, secs: number) => {
    const prefix = `${tag}-${++runNo}`;
    if (wrkInstalled) {
      const r: LoadResult = await load(url, {
        seconds: secs,
        connections,
        wrkScript: { file: 'placement.lua', env: { WRK_TOKENS: tokensFile, WRK_KEY_PREFIX: prefix } },
      });
      const total = Object.values(r.statuses ?? {}).reduce((a, b) => a + b, 0);
      const accepted = r.statuses?.[202] ?? 0;
      return { ...r, accepted: total > 0 ? (r.rps * accepted) / total : 0 };
    }
    const r = await fixedRate(url, secs, 0, prefix);
    return {
      rps: r.requestsPerSec,
      accepted: r.acceptedPerSec,
      p99Ms: r.p99Ms,
      statuses: r.statuses,
      tool: 'autocannon' as const,
    };
  };
  const notAccepted = (statuses: Record<number, number> | undefined) =>
    Object.entries(statuses ?? {})
      .filter(([s]) => s !== '202')
      .map(([s, c]) => `${c} × ${s}`)
      .join(', ') || 'none';
  const show = (r: Awaited<ReturnType<typeof maxLoad>>) =>
    `${r.accepted.toFixed(0)} × 202/s (p99 ${r.p99Ms.toFixed(1)} ms, not 202: ${notAccepted(r.statuses)})`;

  console.log(
    `P1 placement: ${rounds} rounds × ${seconds} s × 2 sides, ${connections} connections, role ${role}, ` +
      `${buyers.length} buyers, load generator in its own process (${wrkInstalled ? 'wrk + placement.lua' : 'autocannon'})`,
  );
  console.log(
    'limits: RATE_LIMIT_PLACEMENT_USER 10/10s and RATE_LIMIT_PLACEMENT_SALE 5000/1s (production defaults), ' +
      'RATE_LIMIT_PLACEMENT_IP 1000000/1s (one client IP; default 300/10s)',
  );
  await maxLoad(ceiling, 3); // warm-up, both sides
  await maxLoad(ours, 3);
  const ratios: number[] = [];
  const oursRates: number[] = [];
  const cpu = { bare: [] as number[], ours: [] as number[] };
  /** The server's CPU time per request it answered in the round, µs (moves less with the machine's load). */
  const cpuPerRequest = async (proc: { cpuSeconds(): number }, run: () => ReturnType<typeof maxLoad>) => {
    const before = proc.cpuSeconds();
    const r = await run();
    const answered = r.rps * seconds;
    return { r, us: ((proc.cpuSeconds() - before) * 1e6) / answered };
  };
  for (let i = 1; i <= rounds; i++) {
    const c = await cpuPerRequest(bare, () => maxLoad(ceiling, seconds));
    const o = await cpuPerRequest(service, () => maxLoad(ours, seconds));
    ratios.push(o.r.accepted / c.r.accepted);
    oursRates.push(o.r.accepted);
    cpu.bare.push(c.us);
    cpu.ours.push(o.us);
    console.log(
      `round ${i}: bare ${show(c.r)} · surge ${show(o.r)} → ratio ${(o.r.accepted / c.r.accepted).toFixed(3)}; ` +
        `server CPU per answer: bare ${c.us.toFixed(0)} µs, surge ${o.us.toFixed(0)} µs`,
    );
  }
  const half = Math.round(median(oursRates) / 2);
  const hc = await fixedRate(ceiling, halfSeconds, half, `${tag}-half-c`);
  const ho = await fixedRate(ours, halfSeconds, half, `${tag}-half-o`);
  const fixed = (r: FixedRateResult) =>
    `${r.acceptedPerSec.toFixed(0)} × 202/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms, ` +
    `not 202: ${notAccepted(r.statuses)}${r.errors ? `, ${r.errors} errors` : ''}`;
  console.log(`at half Surge's max rate (${half}/s for ${halfSeconds} s): bare ${fixed(hc)}`);
  console.log(`at half Surge's max rate (${half}/s for ${halfSeconds} s): surge ${fixed(ho)}`);
  const remaining = await redis.get(saleKeys(saleId).stock);
  console.log(`sale remaining ${remaining} of ${STOCK} (not sold out)`);
  console.log(`P1 median ratio ${median(ratios).toFixed(3)} (target ≥ 0.5)`);
  console.log(
    `server CPU per answer (median): bare ${median(cpu.bare).toFixed(0)} µs, surge ${median(cpu.ours).toFixed(0)} µs ` +
      `(ratio of CPU costs ${(median(cpu.bare) / median(cpu.ours)).toFixed(3)})`,
  );
  console.log(`P1 p99 at half the max rate ${ho.p99Ms} ms (target ≤ 50 ms)`);
  const mem = service.memory();
  console.log(
    `M1 service RSS during P1: peak ${Math.max(rssPeakMiB, mem.peakMiB).toFixed(0)} MiB, ` +
      `at the end ${mem.rssMiB.toFixed(0)} MiB (target < 256; role ${role})`,
  );
} finally {
  clearInterval(sampler);
  rmSync(tokensFile, { force: true });
  await redis.del(...Object.values(saleKeys(ceilingSale))).catch(() => 0);
  redis.disconnect();
  await db.destroy();
  await Promise.all([service.stop(), bare?.stop()]);
  await deleteTopicsWithPrefix(topicPrefix);
}

interface FixedRateResult {
  acceptedPerSec: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  statuses: Record<number, number>;
  errors: number;
}

/** harness/placement-load.ts in its own process; `rate` 0 = closed loop. */
function fixedRate(url: string, secs: number, rate: number, prefix: string): Promise<FixedRateResult> {
  const script = fileURLToPath(new URL('./harness/placement-load.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [script, url, String(secs), String(connections), String(rate), tokensFile, prefix],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`placement-load exited ${code}: ${out}`));
      resolve(JSON.parse(out) as FixedRateResult);
    });
  });
}
