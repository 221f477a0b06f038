import type { Message } from './message.ts';
import type { Publisher } from './ports.ts';

export interface BatchingPublisherOptions {
  /** A batch is sent as soon as it holds this many messages. Default 500. */
  maxBatchMessages?: number;
  /**
   * How long the first message of a batch waits for company, ms. Default 0: until the event loop
   * has run the callbacks already queued (`setImmediate`), which is when concurrent requests have
   * added theirs — batching under load, no added latency when idle.
   */
  lingerMs?: number;
}

/** The caller stopped waiting (its signal aborted); the message may still be acknowledged later. */
export class PublishAbortedError extends Error {
  override readonly name = 'PublishAbortedError';
  readonly transient = true;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

interface Batch {
  messages: Message[];
  waiters: Waiter[];
  sent: boolean;
}

/**
 * Gathers messages published concurrently to one topic into one `inner.publish` call (one
 * produce request with the Kafka publisher): a crowd of requests, each waiting for the broker's
 * ack of its own message, shares round trips instead of paying one each. Every caller's promise
 * settles with its batch: resolved on the ack, rejected with the batch's error. Order is kept per
 * caller and key (batches of a topic go out in order; the idempotent producer keeps them).
 * A caller whose signal aborts stops waiting at once; its message is still sent with the batch,
 * so callers must treat an abort as "unknown outcome" (placement releases; a late ack then meets
 * the released reservation).
 */
export function createBatchingPublisher(inner: Publisher, opts: BatchingPublisherOptions = {}): Publisher {
  const maxBatch = opts.maxBatchMessages ?? 500;
  const lingerMs = opts.lingerMs ?? 0;
  const open = new Map<string, Batch>();

  const flush = (topic: string, batch: Batch) => {
    // A batch cut at maxBatch is sent then; its scheduled flush finds it sent.
    if (batch.sent) return;
    batch.sent = true;
    if (open.get(topic) === batch) open.delete(topic);
    inner.publish(topic, batch.messages).then(
      () => {
        for (const w of batch.waiters) w.resolve();
      },
      (err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        for (const w of batch.waiters) w.reject(error);
      },
    );
  };

  return {
    publish(topic, messages, o = {}) {
      if (messages.length === 0) return Promise.resolve();
      if (o.signal?.aborted) return Promise.reject(new PublishAbortedError('aborted before publishing'));
      let batch = open.get(topic);
      if (!batch) {
        const created: Batch = { messages: [], waiters: [], sent: false };
        open.set(topic, created);
        if (lingerMs > 0) setTimeout(() => flush(topic, created), lingerMs);
        else setImmediate(() => flush(topic, created));
        batch = created;
      }
      batch.messages.push(...messages);
      const done = new Promise<void>((resolve, reject) => {
        const signal = o.signal;
        if (!signal) {
          batch.waiters.push({ resolve, reject });
          return;
        }
        const onAbort = () =>
          reject(new PublishAbortedError('stopped waiting for the ack', { cause: signal.reason }));
        signal.addEventListener('abort', onAbort, { once: true });
        batch.waiters.push({
          resolve: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
          reject: (err) => {
            signal.removeEventListener('abort', onAbort);
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        });
      });
      if (batch.messages.length >= maxBatch) flush(topic, batch);
      return done;
    },
    close: () => inner.close(),
  };
}
