import { backoffMs, sleep } from '@surge/resilience';
import type { BatchHandler, Handler } from '../ports.ts';
import { toDelivery, type ReceivedRecord } from './record-decoder.ts';

/** Runs one record until its handler resolves; see `redeliverUntilAcked`. */
export type Deliver = (received: ReceivedRecord, revoked: AbortSignal) => Promise<boolean>;

const acked = () => true;

/**
 * Runs a record's handler until it resolves, redelivering it in place after a capped, jittered
 * backoff each time it rejects (`deliveryAttempt` counts up): a record is never skipped. Gives
 * up — resolves false, the record stays uncommitted for whoever reads the partition next — only
 * when its partition is `revoked` or `hardStop` aborts (close gave up waiting). Never rejects.
 * @param hardStop the handlers' signal; it also cuts a backoff short
 */
export function redeliverUntilAcked(p: {
  handler: Handler;
  hardStop: AbortSignal;
  /** Backoff between attempts, ms: first delay, cap. */
  baseMs: number;
  maxMs: number;
  report: (err: unknown, context: string) => void;
}): Deliver {
  const { handler, hardStop, report } = p;
  const backoff = { baseMs: p.baseMs, maxMs: p.maxMs };

  function attempt(received: ReceivedRecord, n: number): Promise<void> {
    const delivery = received.first ?? toDelivery(received.record, n);
    received.first = undefined;
    try {
      return handler(delivery, hardStop);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async function redeliver(
    received: ReceivedRecord,
    revoked: AbortSignal,
    failure: unknown,
  ): Promise<boolean> {
    const { record } = received;
    for (let n = 1; ; n++) {
      report(
        failure,
        `handler failed on ${record.topic}/${record.partition}@${record.offset} (attempt ${n})`,
      );
      if (revoked.aborted || hardStop.aborted) return false;
      await sleep(backoffMs(n, backoff), AbortSignal.any([hardStop, revoked]));
      if (revoked.aborted || hardStop.aborted) return false;
      try {
        await attempt(received, n + 1);
        return true;
      } catch (err) {
        failure = err;
      }
    }
  }

  // The first attempt is a plain promise chain, not an async function: this runs once per
  // record, and most records succeed the first time.
  return (received, revoked) =>
    attempt(received, 1).then(acked, (err: unknown) => redeliver(received, revoked, err));
}

/**
 * Runs a batch of records once through `handler`: true when it resolved, false when it rejected
 * (reported; the lane then delivers each record alone) or the partition was revoked first.
 * Never rejects.
 */
export function deliverBatchOnce(p: {
  handler: BatchHandler;
  hardStop: AbortSignal;
  report: (err: unknown, context: string) => void;
}): (records: readonly ReceivedRecord[], revoked: AbortSignal) => Promise<boolean> {
  const { handler, hardStop, report } = p;
  return async (records, revoked) => {
    if (revoked.aborted || hardStop.aborted) return false;
    const deliveries = records.map((received) => {
      const delivery = received.first ?? toDelivery(received.record, 1);
      received.first = undefined;
      return delivery;
    });
    try {
      await handler(deliveries, hardStop);
      return true;
    } catch (err) {
      const first = records[0]?.record;
      report(
        err,
        `batch handler failed on ${records.length} records from ${first?.topic}/${first?.partition}@${first?.offset}; ` +
          'handling them one at a time',
      );
      return false;
    }
  };
}
