import { ProduceAcks, Producer, type MessageToProduce } from '@platformatic/kafka';
import { ByteBudget } from '../byte-budget.ts';
import { encodeMessage } from '../cloudevents.ts';
import { isTransient } from '@surge/resilience';
import type { Bytes, Message, RawRecord } from '../message.ts';
import type { Publisher, RecordPublisher } from '../ports.ts';
import { recordBytes } from '../raw-record.ts';
import { RecordTooLargeError } from '../record-too-large-error.ts';
import { bytesOf, publisherSerializers } from './kafka-serde.ts';
import { topicRecordLimits } from './topic-record-limits.ts';

/**
 * A deadline whose timer is cleared once the send settled — not `AbortSignal.timeout`, whose timer
 * lives its whole budget and keeps the async context it was created in (at 1,000s of sends a
 * second, the requests and replies that published) reachable until it fires (docs/benchmarks.md,
 * M1 during P1).
 */
function deadlineOf(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    ms,
  );
  timer.unref(); // like AbortSignal.timeout: a pending send never holds the process open
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

export interface KafkaPublisherOptions {
  brokers: string[];
  clientId: string;
  /** Bytes of unacknowledged messages held at once; publishers wait beyond it. Default 16 MiB. */
  maxInFlightBytes?: number;
  /** Budget of one `publish`: waiting for buffer space plus the broker's ack. Default 5000 ms. */
  timeoutMs?: number;
  /**
   * The largest record `publishRecords` sends, bytes (`recordBytes`), like the Java producer's
   * `max.request.size`; a topic's own `max.message.bytes`, learned from the broker, lowers it.
   * Also the most one `send` of `publish` carries: a larger publish is sent in parts, in order,
   * so no partition's batch exceeds what a broker takes by default. Default 1048576 (1 MiB).
   */
  maxRecordBytes?: number;
}

export class PublishTimeoutError extends Error {
  override readonly name = 'PublishTimeoutError';
  readonly transient = true;
}

/** The broker could not be reached or refused for a retriable reason: a dependency outage. */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';
  readonly transient = true;
}

/** True when any error in the client's nested errors (AggregateError, cause) is retriable. */
function retriable(e: unknown, depth = 0): boolean {
  if (depth > 5 || typeof e !== 'object' || e === null) return false;
  const err = e as { canRetry?: unknown; code?: unknown; errors?: unknown; cause?: unknown };
  if (err.canRetry === true || err.code === 'PLT_KFK_NETWORK' || isTransient(e)) return true;
  if (Array.isArray(err.errors) && err.errors.some((x) => retriable(x, depth + 1))) return true;
  return err.cause !== undefined && retriable(err.cause, depth + 1);
}

/** True when the broker refused a record or batch for its size (nested like `retriable`). */
function tooLarge(e: unknown, depth = 0): boolean {
  if (depth > 5 || typeof e !== 'object' || e === null) return false;
  const err = e as { apiId?: unknown; errors?: unknown; cause?: unknown };
  if (err.apiId === 'MESSAGE_TOO_LARGE' || err.apiId === 'RECORD_LIST_TOO_LARGE') return true;
  if (Array.isArray(err.errors) && err.errors.some((x) => tooLarge(x, depth + 1))) return true;
  return err.cause !== undefined && tooLarge(err.cause, depth + 1);
}

// The client reports a stopped broker as an AggregateError (PLT_KFK_MULTIPLE) with ECONNREFUSED
// nested inside; callers must see it as an outage (503 / retry), not as a handler failure.
function classifySendError(err: unknown): Error {
  if (tooLarge(err))
    return new RecordTooLargeError('the broker refused a record as too large', { cause: err });
  if (retriable(err)) return new BrokerUnavailableError('kafka is unavailable', { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

type Outgoing = MessageToProduce<Bytes, Bytes, Bytes, Bytes | undefined>;

/** A raw record as the client sends it: distinct name buffers, so a repeated header stays repeated. */
const outgoing = (topic: string, r: RawRecord): Outgoing => ({
  topic,
  ...(r.key === undefined ? {} : { key: r.key }),
  ...(r.value === undefined ? {} : { value: r.value }),
  headers: new Map<Bytes, Bytes | undefined>(
    r.headerEntries.map(([name, value]) => [bytesOf(name) as Buffer, value]),
  ),
});

/**
 * Kafka publisher: idempotent producer, `acks=all`; `publish` resolves only after the broker
 * acknowledged every message. Memory is bounded by `maxInFlightBytes` (M1, docs/benchmarks.md): when full,
 * `publish` waits (backpressure) up to its timeout, then rejects — during a broker outage callers
 * fail fast instead of the process buffering without limit.
 */
export function createKafkaPublisher(
  opts: KafkaPublisherOptions,
): Publisher & RecordPublisher & { readonly budget: ByteBudget } {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const budget = new ByteBudget(opts.maxInFlightBytes ?? 16 * 1024 * 1024);
  const maxRecordBytes = opts.maxRecordBytes ?? 1024 * 1024;
  if (!Number.isInteger(maxRecordBytes) || maxRecordBytes < 1024)
    throw new TypeError(`maxRecordBytes must be an integer ≥ 1024, got ${maxRecordBytes}`);
  // Room for a record batch's own header (61 bytes) in what one send may put in a partition.
  const maxBatchBytes = maxRecordBytes - 61;
  const limits = topicRecordLimits({
    brokers: opts.brokers,
    clientId: opts.clientId,
    maxRecordBytes,
    timeoutMs,
  });
  const producer = new Producer<Bytes, Bytes, Bytes, Bytes | undefined>({
    clientId: opts.clientId,
    bootstrapBrokers: opts.brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    serializers: publisherSerializers,
    autocreateTopics: false,
    connectTimeout: Math.min(timeoutMs, 3000),
    requestTimeout: timeoutMs,
    timeout: timeoutMs,
    retries: 2,
    retryDelay: 200,
  });

  /** Sends within the budget of one call: buffer space, then the broker's ack. */
  async function send(records: Outgoing[], bytes: number, o: { signal?: AbortSignal }): Promise<void> {
    const deadline = deadlineOf(timeoutMs);
    const signal = o.signal ? AbortSignal.any([o.signal, deadline.signal]) : deadline.signal;
    try {
      await sendWithin(records, bytes, signal);
    } finally {
      deadline.clear();
    }
  }

  async function sendWithin(records: Outgoing[], bytes: number, signal: AbortSignal): Promise<void> {
    try {
      await budget.acquire(bytes, signal);
    } catch (cause) {
      throw new PublishTimeoutError(`no buffer space for ${bytes} bytes within ${timeoutMs} ms`, { cause });
    }
    // The bytes stay counted until the send settles, even if the caller stops waiting: they are
    // still in memory until then.
    const sent = producer.send({ messages: records }).finally(() => budget.release(bytes));
    await new Promise<void>((resolve, reject) => {
      const onAbort = () =>
        reject(new PublishTimeoutError(`no broker ack within ${timeoutMs} ms`, { cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
      sent.then(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(classifySendError(err));
        },
      );
    });
  }

  /** Parts of at most `maxBatchBytes`, one after the other (order kept), within one signal. */
  async function sendInParts(records: Outgoing[], sizes: number[], signal: AbortSignal): Promise<void> {
    let start = 0;
    while (start < records.length) {
      let end = start;
      let partBytes = 0;
      while (end < records.length && (end === start || partBytes + (sizes[end] ?? 0) <= maxBatchBytes)) {
        partBytes += sizes[end] ?? 0;
        end++;
      }
      await send(records.slice(start, end), partBytes, { signal });
      start = end;
    }
  }

  return {
    budget,
    async publish(topic: string, messages: readonly Message[], o: { signal?: AbortSignal } = {}) {
      if (messages.length === 0) return;
      const records = messages.map((m) => {
        const r = encodeMessage(m);
        return { topic, key: r.key, value: r.value, headers: r.headers };
      });
      const sizes: number[] = [];
      let bytes = 0;
      for (const r of records) {
        let size = Buffer.byteLength(r.key) + Buffer.byteLength(r.value) + 64;
        for (const [k, v] of Object.entries(r.headers)) size += k.length + Buffer.byteLength(v);
        sizes.push(size);
        bytes += size;
      }
      if (bytes <= maxBatchBytes) return send(records, bytes, o);
      // The broker refuses a partition's batch over its `max.message.bytes` (MESSAGE_TOO_LARGE),
      // and the client sends one batch per partition: a large publish (500 outbox rows of one
      // key) would fail the same way on every retry. Sent in parts, one after the other (order
      // kept), within the one budget of this call; a part that failed may follow parts that landed.
      const deadline = deadlineOf(timeoutMs);
      const signal = o.signal ? AbortSignal.any([o.signal, deadline.signal]) : deadline.signal;
      try {
        await sendInParts(records, sizes, signal);
      } finally {
        deadline.clear();
      }
    },
    async publishRecords(topic: string, records: readonly RawRecord[], o: { signal?: AbortSignal } = {}) {
      if (records.length === 0) return;
      const max = await limits.get(topic);
      let bytes = 0;
      for (const r of records) {
        const size = recordBytes(r);
        if (size > max) {
          throw new RecordTooLargeError(
            `a record of ${size} bytes exceeds the ${max} bytes ${topic} accepts`,
            {
              bytes: size,
              maxBytes: max,
            },
          );
        }
        bytes += size;
      }
      await send(
        records.map((r) => outgoing(topic, r)),
        bytes,
        o,
      );
    },
    maxRecordBytes: (topic: string) => limits.get(topic),
    forgetRecordLimit: (topic: string) => limits.forget(topic),
    async close() {
      await limits.close();
      await producer.close();
    },
  };
}
