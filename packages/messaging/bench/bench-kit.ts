/**
 * Shared helpers of the messaging benchmarks (CONTRIBUTING.md habit 11): settings from the environment,
 * the message bodies both sides publish, topic and group clean-up, and printing.
 * Benchmarks are scripts run by hand (`node packages/messaging/bench/<file>.ts`), never tests.
 */
import { randomUUID } from 'node:crypto';
import { Admin } from '@platformatic/kafka';
import type { Message } from '../src/message.ts';

/** A positive integer from the environment, or the default. Benchmarks are scripts: they read env. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new RangeError(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

export function envString(name: string, fallback: string): string {
  return process.env[name] || fallback;
}

/** A name unique to this run, so parallel runs and leftovers of crashed runs never collide. */
export function runId(): string {
  return `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
}

/**
 * `count` messages over `keys` partition keys, each `data` serialising to about `valueBytes` of
 * JSON, with a realistic order-event shape. Built before any timed window.
 */
export function makeMessages(count: number, opts: { keys?: number; valueBytes?: number } = {}): Message[] {
  const keys = opts.keys ?? 16;
  const valueBytes = opts.valueBytes ?? 300;
  const out: Message[] = [];
  for (let i = 0; i < count; i++) {
    const key = `sku-${i % keys}`;
    const data = {
      orderId: randomUUID(),
      userId: `user-${(i * 7919) % 100_000}`,
      sku: key,
      quantity: 1 + (i % 3),
      priceCents: 1999 + (i % 500),
      currency: 'EUR',
      placedAt: new Date(1_750_000_000_000 + i).toISOString(),
      note: '',
    };
    data.note = 'x'.repeat(Math.max(0, valueBytes - JSON.stringify(data).length));
    out.push({
      id: randomUUID(),
      type: 'surge.order.placed.v1',
      source: '/surge/bench',
      time: data.placedAt,
      subject: data.orderId,
      key,
      data,
      headers: { traceparent: `00-${randomUUID().replaceAll('-', '')}-${'0'.repeat(15)}1-01` },
    });
  }
  return out;
}

/** Splits `items` into consecutive batches of `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs `task` over every batch with exactly `concurrency` calls outstanding at a time (fewer only
 * at the very end); resolves with the elapsed milliseconds. Rejects on the first failure.
 */
export async function runConcurrent<T>(
  batches: readonly T[],
  concurrency: number,
  task: (batch: T) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as T;
      await task(batch);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

/** Deletes topics and consumer groups; reports (never throws) what could not be deleted. */
export async function cleanUp(
  brokers: string[],
  what: { topics?: string[]; groups?: string[] },
): Promise<void> {
  const admin = new Admin({ clientId: 'bench-cleanup', bootstrapBrokers: brokers, timeout: 10_000 });
  try {
    if (what.groups?.length) {
      await admin
        .deleteGroups({ groups: what.groups })
        .catch((err: unknown) => console.error(`clean-up: could not delete groups: ${String(err)}`));
    }
    if (what.topics?.length) {
      await admin
        .deleteTopics({ topics: what.topics })
        .catch((err: unknown) => console.error(`clean-up: could not delete topics: ${String(err)}`));
    }
  } finally {
    await admin.close().catch(() => {});
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const mib = (bytes: number) => bytes / (1024 * 1024);

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Prints rows as an aligned plain-text table (first row: headings). */
export function printTable(rows: readonly (readonly (string | number)[])[]): void {
  const cells = rows.map((r) => r.map(String));
  const widths = (cells[0] ?? []).map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  for (const r of cells) console.log(r.map((v, c) => v.padStart(widths[c] ?? 0)).join('  '));
}
