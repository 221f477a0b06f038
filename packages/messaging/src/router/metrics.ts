import { Counter, Histogram, type Registry } from 'prom-client';
import type { Middleware } from './middleware.ts';

/**
 * Consumer-side metrics, per handler and topic: `<prefix>messages_handled_total{outcome}`
 * (`ok` | `error`) and `<prefix>message_handle_duration_seconds`; plus counters the router feeds
 * from retry and dead-letter callbacks: retries, dead letters (and those truncated to fit), failed
 * dead-letter publishes, and dead letters that went to the last resort
 * (`dead_letter_failures_total`: alert on any); and the size of batches handled together.
 */
export function createMessagingMetrics(registry: Registry, prefix = 'surge_') {
  const handled = new Counter({
    name: `${prefix}messages_handled_total`,
    help: 'Deliveries handled, by handler, topic and outcome (ok, error)',
    labelNames: ['handler', 'topic', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${prefix}message_handle_duration_seconds`,
    help: 'Handling time per delivery, retries included',
    labelNames: ['handler', 'topic'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: `${prefix}message_batch_size`,
    help: 'Deliveries per batch handled together (a batch handler on a consumer that is behind), by handler and topic',
    labelNames: ['handler', 'topic'] as const,
    buckets: [2, 5, 10, 25, 50, 100, 250],
    registers: [registry],
  });
  const retried = new Counter({
    name: `${prefix}messages_retried_total`,
    help: 'Retries, by handler and kind (transient: a dependency was down; error: the handler failed)',
    labelNames: ['handler', 'kind'] as const,
    registers: [registry],
  });
  const deadLettered = new Counter({
    name: `${prefix}messages_dead_lettered_total`,
    help: 'Deliveries sent to a dead-letter topic, by handler and original topic',
    labelNames: ['handler', 'topic'] as const,
    registers: [registry],
  });
  const truncated = new Counter({
    name: `${prefix}dead_letters_truncated_total`,
    help: 'Dead letters whose copy was cut to fit the dead-letter topic (dlt_truncated), by handler and original topic',
    labelNames: ['handler', 'topic'] as const,
    registers: [registry],
  });
  const publishErrors = new Counter({
    name: `${prefix}dead_letter_publish_errors_total`,
    help: 'Failed dead-letter publishes, by handler, dead-letter topic and kind (transient: the broker is unavailable, retried; rejected: refused by the broker)',
    labelNames: ['handler', 'topic', 'kind'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: `${prefix}dead_letter_failures_total`,
    help: 'Dead letters that never reached their dead-letter topic and went to the last resort, by handler, original topic and outcome (recorded: stored by the last-resort sink; logged: only in the error log)',
    labelNames: ['handler', 'topic', 'outcome'] as const,
    registers: [registry],
  });
  return {
    middleware(handler: string): Middleware {
      return (next) => async (delivery, signal) => {
        const end = duration.startTimer({ handler, topic: delivery.topic });
        try {
          await next(delivery, signal);
          handled.inc({ handler, topic: delivery.topic, outcome: 'ok' });
        } catch (err) {
          handled.inc({ handler, topic: delivery.topic, outcome: 'error' });
          throw err;
        } finally {
          end();
        }
      };
    },
    /** A batch handler resolved: its deliveries count as handled `ok`. */
    batchHandled: (handler: string, topic: string, count: number) => {
      handled.inc({ handler, topic, outcome: 'ok' }, count);
      batchSize.observe({ handler, topic }, count);
    },
    retried: (handler: string, transient: boolean) =>
      retried.inc({ handler, kind: transient ? 'transient' : 'error' }),
    deadLettered: (handler: string, topic: string, wasTruncated = false) => {
      deadLettered.inc({ handler, topic });
      if (wasTruncated) truncated.inc({ handler, topic });
    },
    deadLetterPublishFailed: (handler: string, topic: string, transient: boolean) =>
      publishErrors.inc({ handler, topic, kind: transient ? 'transient' : 'rejected' }),
    deadLetterFailed: (handler: string, topic: string, outcome: 'recorded' | 'logged') =>
      failures.inc({ handler, topic, outcome }),
  };
}

export type MessagingMetrics = ReturnType<typeof createMessagingMetrics>;
