import { performance } from 'node:perf_hooks';

export interface ProbeStats {
  /** Requests sent. */
  n: number;
  /** Answers by status; `timeout` for none within 10 s, `error` for a socket error. */
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/**
 * Sends `request` one at a time, `intervalMs` apart, until the returned `stop` is called, and
 * records each answer's status and latency (the time to the whole body). Meant to run in a bench
 * process of its own, never in the server's.
 */
export function probe(
  name: string,
  intervalMs: number,
  request: (signal: AbortSignal) => Promise<Response>,
): () => Promise<[string, ProbeStats]> {
  let running = true;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const signal = AbortSignal.timeout(10_000);
      let status: string;
      try {
        const res = await request(signal);
        await res.arrayBuffer();
        status = String(res.status);
      } catch {
        status = signal.aborted ? 'timeout' : 'error';
      }
      latencies.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
    const sorted = [...latencies].sort((a, b) => a - b);
    return [
      name,
      {
        n: sorted.length,
        statuses,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        maxMs: sorted.at(-1) ?? NaN,
      },
    ];
  };
}

export const summary = (s: ProbeStats | undefined): string =>
  s === undefined
    ? '—'
    : `n ${s.n} ${JSON.stringify(s.statuses)} p50 ${s.p50Ms.toFixed(1)} ms p99 ${s.p99Ms.toFixed(1)} ms max ${s.maxMs.toFixed(1)} ms`;
