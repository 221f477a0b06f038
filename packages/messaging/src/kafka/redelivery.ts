import { backoffMs, sleep } from '../backoff.ts';
import type { Handler } from '../ports.ts';
import type { KafkaRecord } from './kafka-consumer.ts';
import { toDelivery } from './record-decoder.ts';

/** Runs one record until its handler resolves; see `redeliverUntilAcked`. */
export type Deliver = (record: KafkaRecord, revoked: AbortSignal) => Promise<boolean>;

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
  return async (record, revoked) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(toDelivery(record, attempt), hardStop);
        return true;
      } catch (err) {
        report(
          err,
          `handler failed on ${record.topic}/${record.partition}@${record.offset} (attempt ${attempt})`,
        );
      }
      if (revoked.aborted || hardStop.aborted) return false;
      await sleep(backoffMs(attempt, backoff), AbortSignal.any([hardStop, revoked]));
      if (revoked.aborted || hardStop.aborted) return false;
    }
  };
}
