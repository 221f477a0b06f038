import type { Redis } from 'ioredis';
import { encodeMessage } from '../cloudevents.ts';
import { isTimeoutError, TransientError, withTimeout } from '@surge/resilience';
import type { RawRecord } from '../message.ts';
import type { Publisher, RecordPublisher } from '../ports.ts';
import { recordBytes } from '../raw-record.ts';
import { RecordTooLargeError } from '../record-too-large-error.ts';
import { rawRecordToFields, recordToFields } from './stream-fields.ts';

/** Default `maxLen`: entries kept per stream (~50 MB at ~500 bytes an entry). */
export const DEFAULT_MAX_LEN = 100_000;

export interface RedisStreamsPublisherOptions {
  /**
   * The client to publish with. Borrowed: `close` does not quit it. Give it a `commandTimeout`
   * and `enableOfflineQueue: false` so a Redis outage fails publishes fast.
   */
  redis: Redis;
  /**
   * Approximate cap on entries per stream (`XADD … MAXLEN ~ maxLen`, trimmed in whole nodes, so
   * a stream may hold somewhat more). It bounds Redis memory, but trimming ignores consumer
   * groups: a group lagging more than `maxLen` entries behind loses the oldest of them (the
   * subscriber reports them as trimmed). Size it above the worst lag you accept. Default
   * 100000; `null` never trims (then something else must, e.g. XTRIM MINID).
   */
  maxLen?: number | null;
  /**
   * Budget of one `publish`, ms; beyond it the publish rejects with resilience's `TimeoutError`
   * (transient). An aborted `signal` rejects it with a `TransientError`. Default 5000.
   */
  timeoutMs?: number;
  /**
   * The largest record `publishRecords` adds (dead letters), bytes as `recordBytes` counts them.
   * Redis takes far more (`proto-max-bulk-len`, 512 MB); this bounds what one dead letter costs.
   * Default 1048576 (1 MiB).
   */
  maxRecordBytes?: number;
}

/**
 * Publishes to Redis Streams: one entry per message (fields: see `stream-fields.ts`), all of one
 * `publish` in one MULTI, so a batch lands entirely or not at all and retrying it cannot
 * half-duplicate it. Resolves once Redis has applied the transaction; how durable that is follows
 * the server's persistence (`appendfsync`) and replication settings.
 */
export function createRedisStreamsPublisher(opts: RedisStreamsPublisherOptions): Publisher & RecordPublisher {
  const maxLen = opts.maxLen === undefined ? DEFAULT_MAX_LEN : opts.maxLen;
  if (maxLen !== null && (!Number.isInteger(maxLen) || maxLen < 1)) {
    throw new TypeError(`maxLen must be a positive integer or null, got ${maxLen}`);
  }
  const timeoutMs = opts.timeoutMs ?? 5000;
  const maxRecordBytes = opts.maxRecordBytes ?? 1024 * 1024;
  const trim = maxLen === null ? [] : ['MAXLEN', '~', String(maxLen)];
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  /** One MULTI of one XADD per entry (its fields). */
  async function add(
    topic: string,
    entries: ReadonlyArray<Array<string | Buffer>>,
    o: { signal?: AbortSignal },
  ) {
    if (closed) throw new Error('the publisher is closed');
    if (entries.length === 0) return;
    const tx = opts.redis.multi();
    for (const fields of entries) tx.xadd(topic, ...trim, '*', ...fields);
    const exec = tx.exec();
    inFlight.add(exec);
    void exec.finally(() => inFlight.delete(exec)).catch(() => {});
    // Either way the caller stops waiting, Redis may still apply it: retrying is safe (one MULTI).
    const results = await withTimeout(() => exec, timeoutMs, {
      signal: o.signal,
      what: `publish to ${topic}`,
    }).catch((cause: unknown) => {
      if (isTimeoutError(cause) || !o.signal?.aborted) throw cause;
      throw new TransientError(`publish to ${topic} aborted before Redis confirmed it`, { cause });
    });
    if (!results) throw new TransientError(`publish to ${topic}: transaction aborted`);
    const failed = results.find(([err]) => err);
    if (failed?.[0]) throw failed[0];
  }

  return {
    publish: (topic, messages, o = {}) =>
      add(
        topic,
        messages.map((m) => recordToFields(encodeMessage(m))),
        o,
      ),
    publishRecords(topic: string, records: readonly RawRecord[], o: { signal?: AbortSignal } = {}) {
      for (const r of records) {
        const bytes = recordBytes(r);
        if (bytes > maxRecordBytes) {
          const error = new RecordTooLargeError(
            `a record of ${bytes} bytes exceeds ${maxRecordBytes} bytes`,
            {
              bytes,
              maxBytes: maxRecordBytes,
            },
          );
          return Promise.reject(error);
        }
      }
      return add(topic, records.map(rawRecordToFields), o);
    },
    maxRecordBytes: () => Promise.resolve(maxRecordBytes),
    async close() {
      closed = true;
      // Let publishes already sent settle, so close never cuts one off half-way.
      await Promise.allSettled([...inFlight]);
    },
  };
}
