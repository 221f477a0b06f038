import type { Check } from './storm-invariants.ts';
import type { Attempt } from './storm-driver.ts';

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** The storm's report: what was sent, what came back, and each invariant PASS/FAIL with numbers. */
export function formatReport(opts: {
  saleId: string;
  stock: number;
  perUserLimit: number;
  buyers: number;
  attempts: readonly Attempt[];
  elapsedMs: number;
  drainMs: number;
  checks: readonly Check[];
  /** More about the run (the payment phase), printed before the invariants. */
  notes?: readonly string[];
}): string {
  const { attempts, checks } = opts;
  const byAnswer = new Map<string, number>();
  for (const a of attempts) {
    const label = a.status === 202 ? '202 accepted' : `${a.status} ${a.code ?? ''}`.trim();
    byAnswer.set(label, (byAnswer.get(label) ?? 0) + 1);
  }
  const latencies = attempts.map((a) => a.latencyMs).sort((x, y) => x - y);
  const unitsAccepted = attempts
    .filter((a) => a.status === 202 && a.kind === 'fresh')
    .reduce((s, a) => s + a.quantity, 0);
  const kinds = ['fresh', 'replay', 'changed'].map(
    (k) => `${attempts.filter((a) => a.kind === k).length} ${k}`,
  );
  const lines = [
    `storm: sale ${opts.saleId}, stock ${opts.stock}, limit ${opts.perUserLimit} per buyer, ${opts.buyers} buyers`,
    `attempts ${attempts.length} (${kinds.join(', ')}) in ${(opts.elapsedMs / 1000).toFixed(1)} s = ${(
      (attempts.length / opts.elapsedMs) *
      1000
    ).toFixed(0)} req/s; pipeline drained ${(opts.drainMs / 1000).toFixed(1)} s later`,
    `accepted units ${unitsAccepted} of ${opts.stock}`,
    `latency ms: p50 ${percentile(latencies, 50).toFixed(1)}, p99 ${percentile(latencies, 99).toFixed(1)}, max ${(
      latencies.at(-1) ?? 0
    ).toFixed(1)}`,
    'answers:',
    ...[...byAnswer.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([label, n]) => `  ${String(n).padStart(7)}  ${label}`),
    ...(opts.notes ?? []),
    'invariants:',
    ...checks.map((c) => `  ${c.pass ? 'PASS' : 'FAIL'}  ${c.id.padEnd(4)} ${c.what}: ${c.detail}`),
    checks.every((c) => c.pass)
      ? 'result: PASS'
      : `result: FAIL (${checks.filter((c) => !c.pass).length} violated)`,
  ];
  return lines.join('\n');
}
