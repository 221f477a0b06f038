import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onLoadCpu } from './cpu-pinning.ts';

export interface LoadResult {
  /** Requests per second over the run. */
  rps: number;
  /** 99th percentile latency, milliseconds. */
  p99Ms: number;
  /** Responses that were not 2xx/3xx, plus socket errors. */
  errors: number;
  tool: 'wrk' | 'autocannon';
  /**
   * Responses by status and the 503s that carried `Retry-After` — only with `countStatuses`
   * (wrk with `status-counts.lua`).
   */
  statuses?: Record<number, number>;
  retryAfter503?: number;
  /** Requests that got no answer within the generator's timeout. */
  timeouts?: number;
}

export interface LoadOptions {
  seconds: number;
  connections: number;
  /** Load-generator threads (wrk only). Default 1. */
  threads?: number;
  headers?: Record<string, string>;
  /** Count responses by status (with wrk: its `status-counts.lua`). Default false. */
  countStatuses?: boolean;
  /**
   * The generator; default wrk when installed. autocannon closes a connection whose request
   * timed out (a client that gives up), wrk keeps waiting on it.
   */
  tool?: 'wrk' | 'autocannon';
  /** Run the generator on the load CPU (harness/cpu-pinning.ts). Default false. */
  pinned?: boolean;
  /** Request method and JSON body (with `countStatuses`). Default GET, no body. */
  method?: string;
  body?: string;
  /** Seconds before the generator gives up on one request (wrk's `--timeout`). Default 2. */
  timeoutSec?: number;
  /**
   * A wrk Lua script of this folder that counts statuses as `status-counts.lua` does (e.g.
   * `placement.lua`) and its environment; wrk only.
   */
  wrkScript?: { file: string; env: Record<string, string> };
}

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
/** Whether wrk is installed (else `load` uses autocannon's CLI). */
export const wrkInstalled = hasWrk;
const AUTOCANNON = fileURLToPath(new URL('../../../../node_modules/.bin/autocannon', import.meta.url));
const STATUS_SCRIPT = fileURLToPath(new URL('./status-counts.lua', import.meta.url));

const run = (cmd: string, args: string[], env: Record<string, string> = {}, pinned = false) =>
  new Promise<string>((resolve, reject) => {
    const [file, argv] = pinned ? onLoadCpu(cmd, args) : [cmd, args];
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}:\n${out}`)),
    );
  });

const ms = (v: string, unit: string) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? 1);

/**
 * Drives `url` with a load generator in its own process — wrk when installed, else autocannon's
 * CLI — never in the event loop of the server under test (that would add the generator's cost
 * to both sides and flatter the ratio).
 */
export async function load(url: string, opts: LoadOptions): Promise<LoadResult> {
  const headerArgs = Object.entries(opts.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  if (hasWrk && opts.tool !== 'autocannon') {
    const out = await run(
      'wrk',
      [
        `-t${opts.threads ?? 1}`,
        `-c${opts.connections}`,
        `-d${opts.seconds}s`,
        `--timeout=${opts.timeoutSec ?? 2}s`,
        '--latency',
        ...(opts.wrkScript
          ? ['-s', fileURLToPath(new URL(`./${opts.wrkScript.file}`, import.meta.url))]
          : opts.countStatuses
            ? ['-s', STATUS_SCRIPT]
            : []),
        ...headerArgs,
        url,
      ],
      { WRK_METHOD: opts.method ?? '', WRK_BODY: opts.body ?? '', ...opts.wrkScript?.env },
      opts.pinned,
    );
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
    const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
    const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    if (!rps || !p99) throw new Error(`cannot parse wrk output:\n${out}`);
    const socketErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
    const statuses = Object.fromEntries(
      [...out.matchAll(/^status (\d+) (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]),
    );
    const retryAfter = /^retry-after-503 (\d+)$/m.exec(out);
    return {
      rps: Number(rps[1]),
      p99Ms: ms(p99[1] ?? '0', p99[2] ?? 'ms'),
      errors: Number(non2xx?.[1] ?? 0) + socketErrors,
      tool: 'wrk',
      ...(opts.countStatuses || opts.wrkScript
        ? { statuses, retryAfter503: Number(retryAfter?.[1] ?? 0) }
        : {}),
      timeouts: Number(sock?.[4] ?? 0),
    };
  }
  const out = await run(
    AUTOCANNON,
    [
      '-c',
      String(opts.connections),
      '-d',
      String(opts.seconds),
      '-t',
      String(opts.timeoutSec ?? 10),
      '--json',
      ...(opts.method ? ['-m', opts.method] : []),
      ...(opts.body ? ['-b', opts.body, '-H', 'content-type=application/json'] : []),
      ...Object.entries(opts.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}=${v}`]),
      url,
    ],
    {},
    opts.pinned,
  );
  const r = JSON.parse(out.slice(out.indexOf('{'))) as {
    requests: { average: number };
    latency: { p99: number };
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
  };
  const statuses = Object.fromEntries(
    Object.entries(r.statusCodeStats).map(([s, v]) => [Number(s), v.count]),
  );
  return {
    rps: r.requests.average,
    p99Ms: r.latency.p99,
    errors: r.errors + r.non2xx,
    tool: 'autocannon',
    ...(opts.countStatuses ? { statuses } : {}),
    timeouts: r.timeouts,
  };
}
