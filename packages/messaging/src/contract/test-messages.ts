import { randomBytes, randomUUID } from 'node:crypto';
import type { Message } from '../message.ts';

/** `data` of contract messages: which key and position in that key's sequence. */
export interface TestData {
  key: string;
  seq: number;
  note: string;
}

/**
 * `count` messages spread round-robin over `keys` keys (default 1), so keys interleave;
 * `seq` counts per key from 0. Each carries a subject, a `traceparent` and non-ASCII data, so a
 * transport that drops or mangles any attribute fails the round trip.
 */
export function testMessages(
  count: number,
  opts: { keys?: number; prefix?: string } = {},
): Message<TestData>[] {
  const keys = opts.keys ?? 1;
  const prefix = opts.prefix ?? `k-${randomUUID().slice(0, 8)}`;
  const seqByKey = new Map<string, number>();
  return Array.from({ length: count }, (_, i) => {
    const key = `${prefix}-${i % keys}`;
    const seq = seqByKey.get(key) ?? 0;
    seqByKey.set(key, seq + 1);
    return {
      id: randomUUID(),
      type: 'surge.contract.tested.v1',
      source: '/surge/contract',
      time: new Date().toISOString(),
      subject: `subject-${i}`,
      key,
      data: { key, seq, note: 'ünïcödé ✓ "quoted"' },
      headers: {
        traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
        'x-contract': 'yes',
      },
    };
  });
}

export const idsOf = (messages: readonly Message[]): string[] => messages.map((m) => m.id);

/** Splits `items` into consecutive chunks of `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A consumer group name no other test uses. */
export const newGroup = (label: string) => `contract-${label}-${randomUUID().slice(0, 8)}`;
