/**
 * M1 (docs/benchmarks.md): publisher memory stays flat during a Kafka outage because its buffer is bounded
 * (`maxInFlightBytes`), and publishing recovers by itself when the broker returns.
 *
 * Starts a throwaway broker on 127.0.0.1:29092 (never the shared one on 9092), publishes from
 * several concurrent loops (each call with the publisher's timeout; failures are counted, never
 * thrown) for BENCH_HEALTHY_S, stops the broker for BENCH_OUTAGE_S while still publishing, starts
 * it again and publishes BENCH_RECOVERY_S more. RSS and heapUsed are sampled every second.
 * Ceiling: the buffer budget. Target: RSS growth during the outage < 2 × budget + 16 MiB of noise.
 * The live heap after a full GC at the end of each phase tells garbage from a leak.
 * 64 loops of 100 messages (~55 KB per publish) offer more bytes than the 8 MiB budget once
 * requests hang, so the bound itself is exercised, not only the fail-fast path.
 *
 * BENCH_OUTAGE_MODE=stop (default) stops the broker: connections are refused and publishes fail
 * fast. BENCH_OUTAGE_MODE=pause freezes it (SIGSTOP, then SIGCONT) like a network partition:
 * requests hang until their timeout, so the buffer fills and the budget is what bounds memory.
 *
 *   node packages/messaging/bench/publisher-memory.bench.ts
 *
 * Env: BENCH_OUTAGE_S (60), BENCH_HEALTHY_S (10), BENCH_RECOVERY_S (10), BENCH_LOOPS (64),
 * BENCH_BATCH messages per publish (100), BENCH_BUDGET_MIB (8), BENCH_PUBLISH_TIMEOUT_MS (2000),
 * BENCH_OUTAGE_MODE (stop | pause).
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isTransient, sleep } from '@surge/resilience';
import { createKafkaPublisher } from '../src/kafka/kafka-publisher.ts';
import { provisionTopics } from '../src/kafka/provision-topics.ts';
import { cleanUp, envInt, envString, fmt, makeMessages, mib, printTable, runId } from './bench-kit.ts';

const port = 29092;
const brokers = [`127.0.0.1:${port}`];
const kafkaEnv = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: '29093' };
const kafkaScript = resolve(import.meta.dirname, '../../../scripts/infra/kafka.sh');
const outageS = envInt('BENCH_OUTAGE_S', 60);
const healthyS = envInt('BENCH_HEALTHY_S', 10);
const recoveryS = envInt('BENCH_RECOVERY_S', 10);
const loops = envInt('BENCH_LOOPS', 64);
const batchSize = envInt('BENCH_BATCH', 100);
const budgetBytes = envInt('BENCH_BUDGET_MIB', 8) * 1024 * 1024;
const publishTimeoutMs = envInt('BENCH_PUBLISH_TIMEOUT_MS', 2000);
const noiseBytes = 16 * 1024 * 1024;
const outageMode = envString('BENCH_OUTAGE_MODE', 'stop');
if (outageMode !== 'stop' && outageMode !== 'pause')
  throw new RangeError('BENCH_OUTAGE_MODE is stop or pause');
const pidFile = resolve(import.meta.dirname, `../../../.infra/kafka/kafka-${port}.pid`);

setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;

const id = runId();
const topic = `bench.m1-publisher-memory.${id}`;

type Phase = 'healthy' | 'outage' | 'recovery';
interface Sample {
  t: number;
  phase: Phase;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  budgetUsed: number;
  waiting: number;
  ok: number;
  failed: number;
}

/** RSS and live heap after a full GC, at the start and at the end of each phase. */
type AfterGc = Partial<Record<Phase | 'start', { rss: number; heapUsed: number }>>;

async function kafka(command: 'up' | 'down'): Promise<void> {
  const { stdout } = await promisify(execFile)('bash', [kafkaScript, command], { env: kafkaEnv });
  console.log(`[${elapsed()}] ${stdout.trim()}`);
}

const portOpen = () =>
  new Promise<boolean>((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)}s`;

async function main() {
  if (await portOpen()) {
    throw new Error(
      `127.0.0.1:${port} is already in use (another run's broker?); not touching it. ` +
        `If it is a leftover: KAFKA_PORT=${port} KAFKA_CONTROLLER_PORT=29093 bash scripts/infra/kafka.sh down`,
    );
  }
  const onSignal = () => {
    try {
      signalBroker('SIGCONT'); // a frozen broker would ignore the SIGTERM of `down` for 30 s
    } catch {
      // not started yet, or already gone
    }
    spawnSync('bash', [kafkaScript, 'down'], { env: kafkaEnv, stdio: 'inherit' });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await kafka('up');
    await provisionTopics({ brokers, clientId: 'bench' }, [
      { name: topic, partitions: 3, withDeadLetter: false },
    ]);
    await measure();
    await cleanUp(brokers, { topics: [topic] });
  } finally {
    await kafka('down');
  }
}

/** Signals the broker that `kafka.sh up` started for this port (its pid file), and only that one. */
function signalBroker(signal: 'SIGSTOP' | 'SIGCONT'): void {
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no broker pid in ${pidFile}`);
  process.kill(pid, signal);
  console.log(`[${elapsed()}] sent ${signal} to the broker (pid ${pid})`);
}

/** RSS and live heap right after a full GC. */
function settled(): { rss: number; heapUsed: number } {
  fullGc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

async function measure() {
  const atStart = settled();
  const publisher = createKafkaPublisher({
    brokers,
    clientId: `bench-m1-${id}`,
    maxInFlightBytes: budgetBytes,
    timeoutMs: publishTimeoutMs,
  });
  const pool = makeMessages(1000);
  const stop = new AbortController();
  let phase: Phase = 'healthy';
  const calls = {
    healthy: { ok: 0, failed: 0 },
    outage: { ok: 0, failed: 0 },
    recovery: { ok: 0, failed: 0 },
  };
  const failures = new Map<string, number>();
  let second = { ok: 0, failed: 0 };
  let brokerBackAt = 0;
  let firstOkAfterBack = 0;

  async function loop(offset: number) {
    let i = offset;
    while (!stop.signal.aborted) {
      const start = (i++ * batchSize) % pool.length;
      const batch = pool.slice(start, start + batchSize);
      const began = performance.now();
      try {
        await publisher.publish(topic, batch, { signal: stop.signal });
        calls[phase].ok++;
        second.ok++;
        if (brokerBackAt && !firstOkAfterBack) firstOkAfterBack = performance.now();
      } catch (err) {
        if (stop.signal.aborted) return;
        calls[phase].failed++;
        second.failed++;
        const e = err as { name?: string; code?: string };
        const kind =
          `${phase}: ${e.name ?? 'Error'}${e.code ? ` ${e.code}` : ''}` +
          ` (isTransient: ${isTransient(err)})`;
        failures.set(kind, (failures.get(kind) ?? 0) + 1);
        // A call that fails at once must not turn the loop into a busy spin that starves the rest.
        if (performance.now() - began < 5) await sleep(5);
      }
    }
  }

  const samples: Sample[] = [];
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    samples.push({
      t: Math.round((performance.now() - t0) / 1000),
      phase,
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external + m.arrayBuffers,
      budgetUsed: publisher.budget.used,
      waiting: publisher.budget.waiting,
      ...second,
    });
    second = { ok: 0, failed: 0 };
  }, 1000);

  const running = Array.from({ length: loops }, (_, n) => loop(n * 3));
  const afterGc: AfterGc = { start: atStart };
  let paused = false;
  try {
    await sleep(healthyS * 1000);
    afterGc.healthy = settled();
    phase = 'outage';
    const outageStart = performance.now();
    if (outageMode === 'stop') await kafka('down');
    else {
      signalBroker('SIGSTOP');
      paused = true;
    }
    await sleep(Math.max(0, outageS * 1000 - (performance.now() - outageStart)));
    afterGc.outage = settled();
    console.log(`[${elapsed()}] broker out for ${outageS} s; bringing it back`);
    if (outageMode === 'stop') await kafka('up');
    else {
      signalBroker('SIGCONT');
      paused = false;
    }
    brokerBackAt = performance.now();
    phase = 'recovery';
    await sleep(recoveryS * 1000);
    afterGc.recovery = settled();
  } finally {
    if (paused) signalBroker('SIGCONT');
    stop.abort();
    await Promise.all(running);
    clearInterval(sampler);
    await publisher.close().catch((err: unknown) => console.error(`closing publisher: ${String(err)}`));
  }
  report(samples, calls, failures, afterGc, brokerBackAt ? firstOkAfterBack - brokerBackAt : NaN);
}

function report(
  samples: Sample[],
  calls: Record<Phase, { ok: number; failed: number }>,
  failures: Map<string, number>,
  afterGc: AfterGc,
  recoveryMs: number,
) {
  console.log(
    `\nM1 publisher memory: ${loops} loops, ${batchSize} messages (~300-byte JSON) per publish, ` +
      `maxInFlightBytes ${fmt(mib(budgetBytes))} MiB, publish timeout ${publishTimeoutMs} ms, ` +
      `${healthyS} s healthy, ${outageS} s broker ${outageMode === 'stop' ? 'stopped (+ its restart)' : 'frozen (SIGSTOP)'}, ` +
      `${recoveryS} s after`,
  );
  printTable([
    [
      't(s)',
      'phase',
      'rss MiB',
      'heapUsed MiB',
      'heapTotal MiB',
      'ext+ab MiB',
      'budget MiB',
      'waiting',
      'ok/s',
      'failed/s',
    ],
    ...samples.map((s) => [
      s.t,
      s.phase,
      fmt(mib(s.rss), 1),
      fmt(mib(s.heapUsed), 1),
      fmt(mib(s.heapTotal), 1),
      fmt(mib(s.external), 1),
      fmt(mib(s.budgetUsed), 1),
      s.waiting,
      s.ok,
      s.failed,
    ]),
  ]);
  const of = (p: Phase) => samples.filter((s) => s.phase === p);
  const before = of('healthy').at(-1)?.rss ?? NaN;
  const outage = of('outage');
  const maxDuring = Math.max(...outage.map((s) => s.rss));
  const after = of('recovery').at(-1)?.rss ?? NaN;
  const growth = maxDuring - before;
  const limit = 2 * budgetBytes + noiseBytes;
  const heapBefore = afterGc.healthy?.heapUsed ?? NaN;
  const heapGrowth = (afterGc.outage?.heapUsed ?? NaN) - heapBefore;

  console.log(
    `\nceiling (buffer budget): ${fmt(mib(budgetBytes))} MiB; allowed growth 2 × budget + 16 MiB = ${fmt(mib(limit))} MiB`,
  );
  console.log(`RSS before the outage: ${fmt(mib(before), 1)} MiB`);
  console.log(`max RSS during the outage: ${fmt(mib(maxDuring), 1)} MiB`);
  console.log(`RSS after recovery: ${fmt(mib(after), 1)} MiB`);
  console.log(
    `result: growth during the outage ${fmt(mib(growth), 1)} MiB (${(growth / budgetBytes).toFixed(2)} × budget); ` +
      `live heap after a full GC ${fmt(mib(heapGrowth), 1)} MiB (end of outage minus end of healthy)`,
  );
  console.log(
    'RSS / live heap after a full GC: ' +
      (['start', 'healthy', 'outage', 'recovery'] as const)
        .map((p) => {
          const m = afterGc[p];
          return `${p === 'start' ? 'start' : `end of ${p}`} ${m ? `${fmt(mib(m.rss), 1)} / ${fmt(mib(m.heapUsed), 1)} MiB` : 'n/a'}`;
        })
        .join('; '),
  );
  console.log(`memory bounded: ${growth < limit && heapGrowth < limit ? 'PASS' : 'FAIL'}`);
  printTable([
    ['phase', 'publishes ok', 'publishes failed'],
    ...(['healthy', 'outage', 'recovery'] as const).map((p) => [p, calls[p].ok, calls[p].failed]),
  ]);
  for (const [kind, count] of failures) console.log(`  failed ${kind}: ${count}`);
  const recovered = calls.recovery.ok > 0;
  console.log(
    `recovered after the broker returned: ${recovered ? 'PASS' : 'FAIL'}` +
      (recovered ? ` (first ok publish ${fmt(recoveryMs)} ms after the broker was ready)` : ''),
  );
}

await main();
