import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '@surge/test-support';

export interface BenchProcess {
  baseUrl: string;
  pid: number;
  /** Resident set size now and at its peak (VmHWM), MiB, from /proc. */
  memory(): { rssMiB: number; peakMiB: number };
  /** CPU time used so far (user + system, every thread), seconds, from /proc. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

function procMemory(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

/** utime + stime of `pid` (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 1/100 s). */
function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function untilAnswers(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function start(args: string[], env: Record<string, string>, readyPath: string, logFile: string) {
  const port = await freePort();
  const out = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', out, out],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await untilAnswers(baseUrl + readyPath, child, 60_000);
  const pid = child.pid ?? 0;
  return {
    baseUrl,
    pid,
    memory: () => procMemory(pid),
    cpuSeconds: () => procCpuSeconds(pid),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/**
 * The service as a user runs it in production: `main.ts` with the V8 flag `npm start` passes
 * (scripts/start.sh: `--max-semi-space-size`, SURGE_SEMI_SPACE_MB, default 4), production
 * profile, the default log level and access log (nothing set unless `env` says so); its stdout
 * goes to `logFile`.
 */
export const startService = (env: Record<string, string>, logFile: string): Promise<BenchProcess> =>
  start(
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the service, written there when it stops;
    // BENCH_CPU_PROF_INTERVAL: its sampling interval in µs (V8's default is 1000).
    [
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      ...(process.env.BENCH_CPU_PROF && process.env.BENCH_CPU_PROF_INTERVAL
        ? [`--cpu-prof-interval=${process.env.BENCH_CPU_PROF_INTERVAL}`]
        : []),
      `--max-semi-space-size=${process.env.SURGE_SEMI_SPACE_MB ?? 4}`,
      MAIN,
    ],
    { SURGE_PROFILE: 'production', ...env },
    '/health/live',
    logFile,
  );

/** A bench server script of this folder (`bare-server.ts`) in its own process. */
export const startScript = (
  script: string,
  env: Record<string, string>,
  readyPath: string,
  logFile: string,
): Promise<BenchProcess> =>
  start([fileURLToPath(new URL(`../${script}`, import.meta.url))], env, readyPath, logFile);

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
