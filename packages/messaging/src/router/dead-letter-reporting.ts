import type { Log } from '@surge/resilience';
import { DLT } from '../dead-letter-headers.ts';
import type { Delivery, RawRecord } from '../message.ts';
import type { DeadLetterOptions } from './dead-letter.ts';
import type { MessagingMetrics } from './metrics.ts';

/** What identifies a record that missed its dead-letter topic, without its data (no personal data in logs). */
function identity(d: Delivery, record: RawRecord) {
  const header = (name: string) => record.headerEntries.find(([n]) => n === name)?.[1];
  const text = (b: unknown) => (typeof b === 'string' ? b : undefined);
  return {
    topic: d.topic,
    partition: d.partition,
    offset: d.offset,
    eventId: d.id.slice(0, 64),
    valueBytes: text(header(DLT.valueBytes)),
    valueSha256: text(header(DLT.valueSha256)),
    truncated: text(header(DLT.truncated)),
  };
}

/**
 * The dead-letter middleware's callbacks for one handler: metrics and log lines. Dead letters and
 * the last resort log at `error`, failed publishes at `warn`; never the record's data.
 */
export function deadLetterReporting(p: {
  handler: string;
  log: Log;
  metrics?: MessagingMetrics;
}): Pick<DeadLetterOptions, 'onDeadLetter' | 'onPublishError' | 'onLastResort'> {
  const { handler, log, metrics } = p;
  return {
    onDeadLetter: ({ topic, error, truncated }) => {
      metrics?.deadLettered(handler, topic, truncated.length > 0);
      log.error(
        { handler, topic, err: error, ...(truncated.length > 0 ? { truncated } : {}) },
        'message dead-lettered',
      );
    },
    onPublishError: ({ topic, error, transient, attempt }) => {
      metrics?.deadLetterPublishFailed(handler, topic, transient);
      log.warn({ handler, topic, attempt, transient, err: error }, 'dead-letter publish failed');
    },
    onLastResort: (l) => {
      metrics?.deadLetterFailed(handler, l.delivery.topic, l.outcome);
      log.error(
        {
          handler,
          ...identity(l.delivery, l.record),
          deadLetterTopic: l.topic,
          outcome: l.outcome,
          err: l.error,
          publishError: l.publishError,
          ...(l.sinkError === undefined ? {} : { sinkError: l.sinkError }),
        },
        l.outcome === 'recorded'
          ? 'dead letter could not be published; stored by the last resort'
          : 'dead letter could not be published nor stored; this log line is its only record',
      );
    },
  };
}
