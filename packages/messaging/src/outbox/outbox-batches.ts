import type { Message } from '../message.ts';
import { decodeOutboxMessage } from './outbox-codec.ts';

/** What the relay reads of an unsent row. */
export interface UnsentRow {
  seq: number | string;
  topic: string;
  message: string;
}

/** One `publish` call: consecutive rows of one topic, in seq order. */
export interface PublishRun {
  topic: string;
  seqs: Array<number | string>;
  messages: Message[];
}

/**
 * Splits rows (already in seq order) into publish calls: a new call whenever the topic changes,
 * so publishing the calls one after another keeps the global seq order, hence every key's order;
 * and whenever a call would exceed `maxBytes`, so it always fits the publisher's byte budget.
 * A single row larger than `maxBytes` still gets its own call (the publisher then decides).
 *
 * Stops at the first row that cannot be decoded and returns it as `corrupt`: rows after it must
 * not overtake it.
 */
export function toPublishRuns(
  rows: readonly UnsentRow[],
  maxBytes: number,
): { runs: PublishRun[]; corrupt?: { seq: number | string; error: unknown } } {
  const runs: PublishRun[] = [];
  let current: PublishRun | undefined;
  let bytes = 0;
  for (const row of rows) {
    let message: Message;
    try {
      message = decodeOutboxMessage(row.message);
    } catch (error) {
      return { runs, corrupt: { seq: row.seq, error } };
    }
    const size = Buffer.byteLength(row.message);
    if (!current || current.topic !== row.topic || (bytes + size > maxBytes && current.seqs.length > 0)) {
      current = { topic: row.topic, seqs: [], messages: [] };
      runs.push(current);
      bytes = 0;
    }
    current.seqs.push(row.seq);
    current.messages.push(message);
    bytes += size;
  }
  return { runs };
}

/** An inclusive range of seqs. */
export interface SeqSpan {
  from: bigint;
  to: bigint;
}

/** The smallest range holding every seq (seqs arrive as numbers, or strings past 2^53). */
export function seqSpan(seqs: ReadonlyArray<number | string>): SeqSpan | undefined {
  if (seqs.length === 0) return undefined;
  let from = BigInt(seqs[0] ?? 0);
  let to = from;
  for (const s of seqs) {
    const n = BigInt(s);
    if (n < from) from = n;
    if (n > to) to = n;
  }
  return { from, to };
}
