import type { RawRecord } from '../../message.ts';
import type { Publisher, RecordPublisher } from '../../ports.ts';
import { toBuffer } from '../../raw-record.ts';

/** A record as the fake publisher got it, with its headers as text for easy assertions. */
export interface SentRecord {
  topic: string;
  record: RawRecord;
  headers: Record<string, string>;
}

/**
 * A publisher for router tests: records what it is given; `fail(topic, attempt)` returns an error
 * to reject that publish attempt with (the n-th publish to `topic`, from 1), or nothing to accept it.
 */
export function fakeRecordPublisher(
  opts: { maxRecordBytes?: number; fail?: (topic: string, attempt: number) => Error | undefined } = {},
) {
  const sent: SentRecord[] = [];
  const attempts = new Map<string, number>();
  const forgotten: string[] = [];
  const publisher: Publisher & RecordPublisher = {
    publish: () => Promise.reject(new Error('router tests publish records, not messages')),
    publishRecords(topic, records) {
      const n = (attempts.get(topic) ?? 0) + 1;
      attempts.set(topic, n);
      const error = opts.fail?.(topic, n);
      if (error !== undefined) return Promise.reject(error);
      for (const record of records) {
        const headers: Record<string, string> = {};
        for (const [k, v] of record.headerEntries) headers[k] = v === undefined ? '' : toBuffer(v).toString();
        sent.push({ topic, record, headers });
      }
      return Promise.resolve();
    },
    maxRecordBytes: () => Promise.resolve(opts.maxRecordBytes ?? 1024 * 1024),
    forgetRecordLimit: (topic) => void forgotten.push(topic),
    close: () => Promise.resolve(),
  };
  return { publisher, sent, attempts, forgotten };
}
