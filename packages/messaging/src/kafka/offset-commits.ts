import type { KafkaRecord } from './kafka-consumer.ts';

/**
 * Commits the offset after `record` once its handler resolved (at-least-once), without waiting
 * for the broker: the client funnels every commit of a partition through one in-flight
 * OffsetCommit, merges those that queue meanwhile, only ever moves an offset forward, and
 * flushes what is pending when the stream closes. Awaiting each commit would cap a partition at
 * one commit round trip per record (P4 consume: 12 × slower). A failed commit is covered by a
 * later one; after a crash its record is redelivered. The callback form spares a promise per
 * record. Never throws: a failure is reported.
 */
export function commitAcked(record: KafkaRecord, report: (err: unknown, context: string) => void): void {
  const failed = (err: unknown) =>
    report(err, `commit failed on ${record.topic}/${record.partition}@${record.offset}`);
  try {
    // With a callback, commit returns nothing (the promise is the no-callback overload).
    void record.commit((err) => {
      if (err) failed(err);
    });
  } catch (err) {
    failed(err);
  }
}
