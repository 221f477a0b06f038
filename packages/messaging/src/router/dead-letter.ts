import { DLT, deadLetterTopic } from '../dead-letter-headers.ts';
import { isFatal, isTransient } from '@surge/resilience';
import type { Publisher } from '../ports.ts';
import type { Middleware } from './middleware.ts';

export interface DeadLetterOptions {
  publisher: Publisher;
  /** The consumer group, recorded in `dlt_consumer_group`. */
  group: string;
  /** Called after a record was dead-lettered; for logs and metrics. */
  onDeadLetter?: (info: { topic: string; error: unknown }) => void;
}

const errorClass = (e: unknown) =>
  e instanceof Error
    ? e.cause instanceof Error && e.name === 'RetriesExhaustedError'
      ? e.cause.name
      : e.name
    : typeof e;
const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 1000);

/**
 * Publishes a delivery that failed for good to `<topic>.dlt` with its origin and error in `dlt_*`
 * headers, then acks it so the partition moves on (G7). Transient errors are never
 * dead-lettered (they reach here only on shutdown) and are rethrown. If the dead-letter publish
 * itself fails, the error propagates: the record is not acked and is redelivered — nothing is
 * dropped without a record.
 */
export function deadLetter(opts: DeadLetterOptions): Middleware {
  return (next) => async (delivery, signal) => {
    try {
      await next(delivery, signal);
    } catch (error) {
      if (signal.aborted || (isTransient(error) && !isFatal(error))) throw error;
      const attempts = (error as { attempts?: number }).attempts ?? 1;
      await opts.publisher.publish(
        deadLetterTopic(delivery.topic),
        [
          {
            ...delivery,
            headers: {
              ...delivery.headers,
              [DLT.topic]: delivery.topic,
              [DLT.partition]: String(delivery.partition),
              [DLT.offset]: delivery.offset,
              [DLT.timestamp]: String(delivery.timestamp),
              [DLT.group]: opts.group,
              [DLT.attempts]: String(attempts),
              [DLT.errorClass]: errorClass(error),
              [DLT.errorMessage]: errorMessage(error),
              [DLT.failedAt]: new Date().toISOString(),
            },
          },
        ],
        { signal },
      );
      opts.onDeadLetter?.({ topic: delivery.topic, error });
    }
  };
}
