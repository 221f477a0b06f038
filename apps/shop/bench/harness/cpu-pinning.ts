import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * CPU pinning for A/B benchmarks (`BENCH_PIN=1`, where `taskset` exists and there are at least
 * two CPUs): every server under test runs on CPU 0 — all its threads — and the load generator on
 * CPU 1, so both sides of a comparison get the same placement. The broker, MariaDB and Redis are
 * left where they are. Off by default: on this 2-core VM, five pinned P2 rounds spread as widely
 * as five unpinned ones (0.52–0.68 against 0.54–0.65, docs/benchmarks.md), so it is a tool for
 * profiling and A/B runs, not a cure for the shared machine's noise.
 */
const wanted = process.env.BENCH_PIN === '1';
const canPin = wanted && availableParallelism() >= 2 && spawnSync('taskset', ['-V']).error === undefined;

export const pinning = canPin ? { server: '0', load: '1' } : undefined;

/** Moves every thread of `pid` to the servers' CPU (no-op when not pinning). */
export function pinServer(pid: number): void {
  if (!pinning) return;
  const r = spawnSync('taskset', ['-a', '-p', '-c', pinning.server, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset could not pin ${pid}: ${r.stderr}`);
}

/** `cmd args` on the load generator's CPU when pinning, else as it is. */
export const onLoadCpu = (cmd: string, args: string[]): [string, string[]] =>
  pinning ? ['taskset', ['-c', pinning.load, cmd, ...args]] : [cmd, args];
