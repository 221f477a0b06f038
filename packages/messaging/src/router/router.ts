import { silentLog, withTimeout, type Log } from '@surge/resilience';
import type { EventRegistry } from '../events.ts';
import { GroupTopicMismatchError } from '../group-topic-mismatch-error.ts';
import type { BatchHandler, Handler, RecordPublisher, Subscriber, Subscription } from '../ports.ts';
import { deadLetterReporting } from './dead-letter-reporting.ts';
import { deadLetter, type LastResort } from './dead-letter.ts';
import type { MessagingMetrics } from './metrics.ts';
import { compose, type Middleware } from './middleware.ts';
import { recoverer } from './recoverer.ts';
import { retry, type RetryOptions } from './retry.ts';
import { timeout } from './timeout.ts';
import { traceContext } from './trace-context.ts';
import { validate } from './validate.ts';
import { SchemaError } from '../schema-error.ts';

export interface HandlerSpec {
  /** Stable name, used in metrics and logs. */
  name: string;
  topic: string;
  /**
   * Consumer group; one per handler so each handler sees every message. A group consumes one
   * topic: `addHandler` refuses a group another handler uses on a different topic.
   */
  group: string;
  handle: Handler;
  /** Per-attempt budget. Default 30000 ms. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /**
   * Validate each delivery against the registry (fatal `SchemaError` → dead letter). Default
   * true; false only for consumers of dead-letter topics, which hold invalid records by design.
   */
  validate?: boolean;
  /** Extra middlewares, innermost (around `handle`), e.g. a deduplicator. */
  middlewares?: readonly Middleware[];
  /**
   * Optional: handles the records a partition has buffered behind its head together (see
   * `BatchHandler`), at most `maxBatch` at a time. Every delivery is validated first; a batch
   * holding one that fails validation, or one the batch handler rejects, is handled again record
   * by record through `handle` and the full stack (retries, dead letters). The batch runs within
   * `timeoutMs`. Not combinable with `middlewares` (they wrap one delivery).
   */
  handleBatch?: BatchHandler;
  /** Largest batch for `handleBatch`. Default 100. */
  maxBatch?: number;
}

export interface RouterOptions {
  subscriber: Subscriber;
  /** Publishes dead letters, byte for byte (`createKafkaPublisher`). */
  publisher: RecordPublisher;
  /**
   * Stores a dead letter the broker refused to take (see `LastResort`), e.g. in the table the
   * dead-letter recorder writes. Without it, the error log is the last resort.
   */
  lastResort?: LastResort;
  registry: EventRegistry;
  metrics?: MessagingMetrics;
  /**
   * Logs what the router recovers from: retries and failed dead-letter publishes (`warn`), dead
   * letters and the last resort (`error`). Never logs event data: origin, sizes, hash and error
   * only. Default silent.
   */
  log?: Log;
}

/**
 * Runs handlers on subscriptions, each wrapped, outermost first, in: metrics → trace context → dead-letter →
 * retry → recoverer → schema validation → timeout → the handler's own middlewares → handler.
 */
export function createRouter(opts: RouterOptions) {
  const specs: HandlerSpec[] = [];
  const running = new Map<string, Subscription>();
  const log = opts.log ?? silentLog;

  function build(spec: HandlerSpec): Handler {
    const stack: Middleware[] = [];
    if (opts.metrics) stack.push(opts.metrics.middleware(spec.name));
    stack.push(
      traceContext,
      deadLetter({
        publisher: opts.publisher,
        group: spec.group,
        ...(opts.lastResort ? { lastResort: opts.lastResort } : {}),
        ...deadLetterReporting({
          handler: spec.name,
          log,
          ...(opts.metrics ? { metrics: opts.metrics } : {}),
        }),
      }),
      retry({
        ...spec.retry,
        onRetry: (info) => {
          opts.metrics?.retried(spec.name, info.transient);
          log.warn(
            {
              handler: spec.name,
              attempt: info.attempt,
              transient: info.transient,
              delayMs: info.delayMs,
              err: info.error,
            },
            'message handling failed; retrying',
          );
          spec.retry?.onRetry?.(info);
        },
      }),
      recoverer,
      ...(spec.validate === false ? [] : [validate(opts.registry)]),
      timeout(spec.timeoutMs ?? 30_000),
      ...(spec.middlewares ?? []),
    );
    return compose(spec.handle, ...stack);
  }

  function buildBatch(spec: HandlerSpec): { handler: BatchHandler; maxRecords: number } | undefined {
    const handleBatch = spec.handleBatch;
    if (!handleBatch) return undefined;
    const ms = spec.timeoutMs ?? 30_000;
    const handler: BatchHandler = async (deliveries, signal) => {
      if (spec.validate !== false) {
        for (const d of deliveries) {
          if (d.malformed !== undefined) throw new SchemaError(`malformed record: ${d.malformed}`);
          opts.registry.validate(d);
        }
      }
      // Whatever it rejects with, the records are handled again one by one (the lane reports it).
      await withTimeout((bounded) => handleBatch(deliveries, bounded), ms, { signal, what: 'batch handler' });
      opts.metrics?.batchHandled(spec.name, deliveries[0]?.topic ?? spec.topic, deliveries.length);
    };
    return { handler, maxRecords: spec.maxBatch ?? 100 };
  }

  return {
    /**
     * @throws Error when a handler of that name was added already
     * @throws GroupTopicMismatchError (`E_GROUP_TOPIC_MISMATCH`) when another handler uses
     *   `spec.group` on a different topic
     */
    addHandler(spec: HandlerSpec): void {
      if (specs.some((s) => s.name === spec.name)) throw new Error(`handler ${spec.name} added twice`);
      const sharing = specs.find((s) => s.group === spec.group && s.topic !== spec.topic);
      if (sharing) {
        throw new GroupTopicMismatchError(
          spec.group,
          { topic: sharing.topic, by: `handler "${sharing.name}"` },
          { topic: spec.topic, by: `handler "${spec.name}"` },
        );
      }
      if (spec.handleBatch && spec.middlewares?.length) {
        throw new Error(`handler ${spec.name}: handleBatch cannot be combined with middlewares`);
      }
      specs.push(spec);
    },
    /**
     * Subscribes every handler not yet running. Safe to call again after a failure (e.g. the
     * broker was down): handlers already subscribed are skipped.
     */
    async start(): Promise<void> {
      for (const spec of specs) {
        if (running.has(spec.name)) continue;
        const batch = buildBatch(spec);
        const sub = await opts.subscriber.subscribe({
          topic: spec.topic,
          group: spec.group,
          handler: build(spec),
          ...(batch ? { batch } : {}),
        });
        running.set(spec.name, sub);
      }
    },
    /** Graceful: in-flight deliveries finish and commit, then each subscription leaves its group. */
    async close(): Promise<void> {
      const subs = [...running.values()];
      running.clear();
      await Promise.allSettled(subs.map((s) => s.close()));
    },
  };
}

export type Router = ReturnType<typeof createRouter>;
