import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { ByteBudget } from '../byte-budget.ts';
import { encodeMessage } from '../cloudevents.ts';
import { isTransient } from '@surge/resilience';
import type { Message } from '../message.ts';
import type { Publisher } from '../ports.ts';

export interface KafkaPublisherOptions {
  brokers: string[];
  clientId: string;
  /** Bytes of unacknowledged messages held at once; publishers wait beyond it. Default 16 MiB. */
  maxInFlightBytes?: number;
  /** Budget of one `publish`: waiting for buffer space plus the broker's ack. Default 5000 ms. */
  timeoutMs?: number;
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

// The client reports a stopped broker as an AggregateError (PLT_KFK_MULTIPLE) with ECONNREFUSED
// nested inside; callers must see it as an outage (503 / retry), not as a handler failure.
function classifySendError(err: unknown): Error {
  if (retriable(err)) return new BrokerUnavailableError('kafka is unavailable', { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Kafka publisher: idempotent producer, `acks=all`; `publish` resolves only after the broker
 * acknowledged every message. Memory is bounded by `maxInFlightBytes` (M1, docs/benchmarks.md): when full,
 * `publish` waits (backpressure) up to its timeout, then rejects — during a broker outage callers
 * fail fast instead of the process buffering without limit.
 */
export function createKafkaPublisher(
  opts: KafkaPublisherOptions,
): Publisher & { readonly budget: ByteBudget } {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const budget = new ByteBudget(opts.maxInFlightBytes ?? 16 * 1024 * 1024);
  const producer = new Producer({
    clientId: opts.clientId,
    bootstrapBrokers: opts.brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    serializers: stringSerializers,
    autocreateTopics: false,
    connectTimeout: Math.min(timeoutMs, 3000),
    requestTimeout: timeoutMs,
    timeout: timeoutMs,
    retries: 2,
    retryDelay: 200,
  });

  return {
    budget,
    async publish(topic: string, messages: readonly Message[], o: { signal?: AbortSignal } = {}) {
      if (messages.length === 0) return;
      const records = messages.map((m) => {
        const r = encodeMessage(m);
        return { topic, key: r.key, value: r.value, headers: r.headers };
      });
      let bytes = 0;
      for (const r of records) {
        bytes += Buffer.byteLength(r.key) + Buffer.byteLength(r.value) + 64;
        for (const [k, v] of Object.entries(r.headers)) bytes += k.length + Buffer.byteLength(v);
      }
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = o.signal ? AbortSignal.any([o.signal, deadline]) : deadline;
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
    },
    close: () => producer.close(),
  };
}
