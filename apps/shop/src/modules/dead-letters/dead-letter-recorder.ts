import { rawRecordOf, type Handler, type LastResort } from '@surge/messaging';
import { deadLetterRow } from './dead-letter-row.ts';
import type { DeadLettersRepo } from './dead-letters-repo.ts';

/**
 * Records every dead-letter record in MySQL, so operators can list and replay them through the
 * admin API: the record as bytes (binary-safe, bounded), its origin and error. Keyed by its
 * position in the `.dlt` topic: a redelivery inserts nothing.
 */
export function deadLetterRecorder(repo: DeadLettersRepo): Handler {
  return async (d) => {
    await repo.recordOnce(
      deadLetterRow(rawRecordOf(d), {
        dltTopic: d.topic,
        dltPartition: d.partition,
        dltOffset: d.offset,
        timestamp: d.timestamp,
      }),
    );
  };
}

/**
 * The router's last resort (ADR 0014): a dead letter the broker refused to take goes straight to
 * `dead_letters`, without a `.dlt` position, with the reason it was refused. At most once per
 * original record and group (a redelivery after a crash inserts nothing). A MySQL outage rejects
 * with a transient error, so the record waits uncommitted until it is stored.
 */
export function deadLetterLastResort(repo: DeadLettersRepo): LastResort {
  return async ({ topic, record, publishError }) => {
    await repo.recordLastResort(
      deadLetterRow(record, {
        dltTopic: topic,
        dltPartition: null,
        dltOffset: null,
        timestamp: Date.now(),
        publishError: publishError instanceof Error ? publishError.message : String(publishError),
      }),
    );
  };
}
