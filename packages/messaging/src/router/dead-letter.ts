import { backoffMs, isFatal, isTransient, sleep } from '@surge/resilience';
import { deadLetterTopic, isDeadLetterTopic } from '../dead-letter-headers.ts';
import { deadLetterRecord, type DeadLetterFacts } from '../dead-letter-record.ts';
import type { TruncatedPart } from '../fit-record.ts';
import type { Delivery, RawRecord } from '../message.ts';
import type { RecordPublisher } from '../ports.ts';
import { isRecordTooLarge } from '../record-too-large-error.ts';
import type { Middleware } from './middleware.ts';

/** A dead letter that could not be published to its dead-letter topic. */
export interface UndeliverableDeadLetter {
  /** The dead-letter topic it was meant for. */
  topic: string;
  /** The dead-letter copy: the original record (bounded) and its `dlt_*` headers. */
  record: RawRecord;
  /** Why the delivery failed. */
  error: unknown;
  /** Why the dead-letter copy could not be published (last attempt). */
  publishError: unknown;
}

/**
 * Stores a dead letter that could not be published, durably, e.g. in a database. Resolving means
 * stored: the delivery is then acked. Rejecting with a transient error (the store is down) tries
 * again with backoff and acks nothing meanwhile; any other rejection leaves the error log as the
 * only record, and the delivery is acked — a partition is never held by a record nobody can store.
 */
export type LastResort = (letter: UndeliverableDeadLetter) => Promise<void>;

export interface DeadLetterOptions {
  publisher: RecordPublisher;
  /** The consumer group, recorded in `dlt_consumer_group`. */
  group: string;
  /** See `LastResort`. Without it, the error log (`onLastResort`) is the last resort. */
  lastResort?: LastResort;
  /** Attempts at publishing one dead letter the broker refuses (not an outage). Default 3. */
  maxPublishAttempts?: number;
  /** Backoff between dead-letter publish attempts (resilience `backoffMs`). Default 100 → 30000 ms. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Called after a record was dead-lettered; for logs and metrics. */
  onDeadLetter?: (info: { topic: string; error: unknown; truncated: readonly TruncatedPart[] }) => void;
  /** A dead-letter publish failed; `transient`: the broker is unavailable (retried without limit). */
  onPublishError?: (info: { topic: string; error: unknown; transient: boolean; attempt: number }) => void;
  /** A dead letter went to the last resort: `recorded` by `lastResort`, or only `logged`. */
  onLastResort?: (
    info: UndeliverableDeadLetter & {
      delivery: Delivery;
      outcome: 'recorded' | 'logged';
      sinkError?: unknown;
    },
  ) => void;
}

const errorClass = (e: unknown) =>
  e instanceof Error
    ? e.cause instanceof Error && e.name === 'RetriesExhaustedError'
      ? e.cause.name
      : e.name
    : typeof e;
const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 1000);
const outage = (e: unknown) => isTransient(e) && !isFatal(e);

/**
 * Publishes a delivery that failed for good to `<topic>.dlt` — its record byte for byte, cut to
 * the topic's record size when it does not fit, with its origin and error in `dlt_*` headers —
 * then acks it so the partition moves on (G7). Transient handler errors are never dead-lettered
 * (they reach here only on shutdown) and are rethrown.
 *
 * While the broker is unavailable the publish is retried with backoff for as long as that lasts,
 * acking nothing (no loss). A publish the broker refuses (a record too large for what it said,
 * an unknown topic, authorisation) is tried `maxPublishAttempts` times — a too-large one with
 * half the size each time — and then goes to the last resort (`lastResort`, else the error log),
 * and the delivery is acked: such a record must not hold its partition forever. A record of a
 * dead-letter topic is never dead-lettered again (no `.dlt.dlt`): it goes to the last resort.
 * On shutdown (the signal aborts) it rethrows: nothing is acked.
 */
export function deadLetter(opts: DeadLetterOptions): Middleware {
  const maxAttempts = opts.maxPublishAttempts ?? 3;
  const backoff = { baseMs: opts.backoff?.baseMs ?? 100, maxMs: opts.backoff?.maxMs ?? 30_000 };

  async function toLastResort(letter: UndeliverableDeadLetter, delivery: Delivery, signal: AbortSignal) {
    for (let attempt = 1; opts.lastResort; attempt++) {
      try {
        await opts.lastResort(letter);
        opts.onLastResort?.({ ...letter, delivery, outcome: 'recorded' });
        return;
      } catch (sinkError) {
        if (signal.aborted) throw sinkError;
        if (!outage(sinkError)) {
          opts.onLastResort?.({ ...letter, delivery, outcome: 'logged', sinkError });
          return;
        }
        await sleep(backoffMs(attempt, backoff), signal);
        if (signal.aborted) throw sinkError;
      }
    }
    opts.onLastResort?.({ ...letter, delivery, outcome: 'logged' });
  }

  async function publish(delivery: Delivery, error: unknown, signal: AbortSignal): Promise<void> {
    const topic = deadLetterTopic(delivery.topic);
    const facts: DeadLetterFacts = {
      group: opts.group,
      attempts: (error as { attempts?: number }).attempts ?? 1,
      errorClass: errorClass(error),
      errorMessage: errorMessage(error),
      failedAt: new Date(),
    };
    if (isDeadLetterTopic(delivery.topic)) {
      const { record } = deadLetterRecord(
        delivery,
        facts,
        await opts.publisher.maxRecordBytes(delivery.topic),
      );
      const publishError = new Error(
        `${delivery.topic} is a dead-letter topic: its records are not dead-lettered again`,
      );
      return toLastResort({ topic, record, error, publishError }, delivery, signal);
    }
    let maxBytes = await opts.publisher.maxRecordBytes(topic);
    let refused = 0;
    for (let attempt = 1; ; attempt++) {
      const letter = deadLetterRecord(delivery, facts, maxBytes);
      try {
        await opts.publisher.publishRecords(topic, [letter.record], { signal });
        opts.onDeadLetter?.({ topic: delivery.topic, error, truncated: letter.truncated });
        return;
      } catch (publishError) {
        if (signal.aborted) throw publishError;
        const transient = outage(publishError);
        opts.onPublishError?.({ topic, error: publishError, transient, attempt });
        if (!transient && ++refused >= maxAttempts) {
          return toLastResort({ topic, record: letter.record, error, publishError }, delivery, signal);
        }
        if (isRecordTooLarge(publishError)) {
          // The broker's limit is lower than what it said (or than ours): learn it again, go smaller.
          opts.publisher.forgetRecordLimit?.(topic);
          maxBytes = Math.floor(Math.min(maxBytes, await opts.publisher.maxRecordBytes(topic)) / 2);
        }
        await sleep(backoffMs(attempt, backoff), signal);
        if (signal.aborted) throw publishError;
      }
    }
  }

  return (next) => async (delivery, signal) => {
    try {
      await next(delivery, signal);
    } catch (error) {
      if (signal.aborted || outage(error)) throw error;
      await publish(delivery, error, signal);
    }
  };
}
