// P2 (docs/benchmarks.md): a warm product read through the whole service — production profile, default log
// level and access log, every default as a user gets it — vs a bare Fastify route returning the
// same JSON bytes. Both are their own processes; the load generator (wrk, else autocannon's CLI)
// is a third. Alternating rounds, median ratio; also the service's memory after the load (M1).
//   npm run bench -- p2     (BENCH_SECONDS=8, BENCH_ROUNDS=3, BENCH_CONNECTIONS=50, BENCH_ROLE=all,
//                            BENCH_BARE_VARIANT=plain|features|varied: see bare-server.ts,
//                            BENCH_PIN=1: servers and generator on their own CPUs, harness/cpu-pinning.ts)
import { pinServer, pinning } from './harness/cpu-pinning.ts';
import { load, type LoadResult } from './harness/load.ts';
import { median, startScript } from './harness/processes.ts';
import { startServiceWithProduct } from './harness/service-with-product.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const role = process.env.BENCH_ROLE ?? 'all';
const tag = crypto.randomUUID().slice(0, 8);
const {
  service,
  productUrl: ours,
  productBody: body,
} = await startServiceWithProduct('p2', { SURGE_ROLE: role });

const bare = await startScript(
  'bare-server.ts',
  { BENCH_BODY: body, BENCH_BARE_VARIANT: process.env.BENCH_BARE_VARIANT ?? 'plain' },
  '/ready',
  `/tmp/surge-bench-bare-${tag}.log`,
);
pinServer(service.pid);
pinServer(bare.pid);
const ceiling = `${bare.baseUrl}${new URL(ours).pathname}`;
if ((await (await fetch(ceiling, { signal: AbortSignal.timeout(10_000) })).text()) !== body)
  throw new Error('the two sides answer different bodies');

const show = (r: LoadResult) =>
  `${r.rps.toFixed(0)} req/s (p99 ${r.p99Ms.toFixed(2)} ms, errors ${r.errors})`;
const opts = { seconds, connections, pinned: true };
console.log(
  `P2 warm product read: ${rounds} rounds × ${seconds} s × 2 sides, ${connections} connections, ` +
    `role ${role}, bare variant ${process.env.BENCH_BARE_VARIANT ?? 'plain'}, load generator in its own process, ` +
    (pinning ? `servers on CPU ${pinning.server}, generator on CPU ${pinning.load}` : 'unpinned'),
);
await load(ceiling, { ...opts, seconds: 3 }); // warm-up, both sides
const warm = await load(ours, { ...opts, seconds: 3 });
console.log(`tool: ${warm.tool}`);
const ratios: number[] = [];
// Server CPU per answer (user + system time of the server process over the round, from /proc):
// less sensitive than throughput to what else runs on the machine, so it tells the two apart
// from the noise — but the target is the throughput ratio.
const cpu = { bare: [] as number[], ours: [] as number[] };
const measured = async (proc: { cpuSeconds(): number }, url: string) => {
  const before = proc.cpuSeconds();
  const r = await load(url, opts);
  return { r, us: ((proc.cpuSeconds() - before) * 1e6) / Math.max(1, r.rps * seconds) };
};
for (let i = 1; i <= rounds; i++) {
  const c = await measured(bare, ceiling);
  const o = await measured(service, ours);
  if (o.r.errors > 0) throw new Error(`the service answered ${o.r.errors} errors: ${show(o.r)}`);
  ratios.push(o.r.rps / c.r.rps);
  cpu.bare.push(c.us);
  cpu.ours.push(o.us);
  console.log(
    `round ${i}: bare ${show(c.r)} · surge ${show(o.r)} → ratio ${(o.r.rps / c.r.rps).toFixed(3)}; ` +
      `server CPU per answer: bare ${c.us.toFixed(1)} µs, surge ${o.us.toFixed(1)} µs`,
  );
}
const mem = service.memory();
console.log(`P2 median ratio ${median(ratios).toFixed(3)} (target ≥ 0.85)`);
console.log(
  `server CPU per answer (median): bare ${median(cpu.bare).toFixed(1)} µs, surge ${median(cpu.ours).toFixed(1)} µs ` +
    `(ratio of CPU costs ${(median(cpu.bare) / median(cpu.ours)).toFixed(3)})`,
);
console.log(
  `M1 service RSS after the load ${mem.rssMiB.toFixed(0)} MiB, peak ${mem.peakMiB.toFixed(0)} MiB (target < 256)`,
);
await Promise.all([service.stop(), bare.stop()]);
