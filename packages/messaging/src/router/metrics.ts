import { Counter, Histogram, type Registry } from 'prom-client';
import type { Middleware } from './middleware.ts';

/**
 * Consumer-side metrics, per handler and topic: `<prefix>messages_handled_total{outcome}`
 * (`ok` | `error`) and `<prefix>message_handle_duration_seconds`; plus counters the router feeds
 * from retry and dead-letter callbacks.
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
    retried: (handler: string, transient: boolean) =>
      retried.inc({ handler, kind: transient ? 'transient' : 'error' }),
    deadLettered: (handler: string, topic: string) => deadLettered.inc({ handler, topic }),
  };
}

export type MessagingMetrics = ReturnType<typeof createMessagingMetrics>;
