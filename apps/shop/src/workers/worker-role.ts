import { createKafkaSubscriber, createOutboxRelay, createRouter, provisionTopics } from '@surge/messaging';
import { backoffMs, sleep, withTimeout } from '@surge/resilience';
import type { Context } from '../context.ts';
import type { Feature } from '../modules/feature-module.ts';
import { createOutageWarnings } from '../infra/outage-warnings.ts';

export interface Workers {
  /**
   * Resolves once the topics exist and the relay and consumers have started (or the workers
   * were closed first). Start-up does not wait for it: Kafka may be down.
   */
  started(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The worker role: provisions every module's topics, then runs the outbox relay, every module's
 * consumers and jobs. Start-up never fails on Kafka being down: provisioning retries with capped
 * backoff and the relay and consumers start once it succeeds.
 */
export function startWorkers(ctx: Context, features: readonly Feature[]): Workers {
  const { config } = ctx;
  const log = ctx.logger.child({ component: 'workers' });
  const stop = new AbortController();
  const warn = createOutageWarnings(log);
  const subscriber = createKafkaSubscriber({
    brokers: config.kafkaBrokers,
    clientId: `${config.kafkaClientId}-worker`,
    metrics: ctx.metrics,
    onError: (err, context) => warn(err, context),
  });
  const lastResorts = features.flatMap((f) => (f.lastResort ? [f.lastResort] : []));
  if (lastResorts.length > 1) throw new Error('more than one feature provides a dead-letter last resort');
  const router = createRouter({
    subscriber,
    publisher: ctx.publisher,
    ...(lastResorts[0] ? { lastResort: lastResorts[0] } : {}),
    registry: ctx.events,
    metrics: ctx.messagingMetrics,
    log,
  });
  // The one place prefixes are applied to consumers: topic and group alike.
  for (const f of features) {
    for (const c of f.consumers ?? []) {
      router.addHandler({
        name: c.name,
        topic: ctx.topic(c.topic),
        group: config.kafkaTopicPrefix + c.group,
        handle: c.handle,
        ...(c.handleBatch ? { handleBatch: c.handleBatch } : {}),
        ...(c.maxBatch === undefined ? {} : { maxBatch: c.maxBatch }),
        ...(c.validate === undefined ? {} : { validate: c.validate }),
      });
    }
  }
  const jobs = features.flatMap((f) => f.jobs ?? []).map((j) => j.start());

  const relayLog = ctx.logger.child({ component: 'outbox-relay' });
  // One active relay per database, elected by a MySQL named lock (ADR 0004).
  const relay = createOutboxRelay({
    db: ctx.db,
    publisher: ctx.publisher,
    table: ctx.outbox.table,
    lock: { name: `surge-outbox:${ctx.databaseName}`.slice(0, 64) },
    notifier: ctx.outbox,
    metrics: ctx.metrics,
    log: relayLog,
  });

  const started = (async () => {
    let provisioned = false;
    for (let attempt = 0; !stop.signal.aborted; attempt++) {
      try {
        if (!provisioned) {
          const created = await provisionTopics(
            { brokers: config.kafkaBrokers, clientId: config.kafkaClientId },
            ctx.topics.map((t) => ({ ...t, name: ctx.topic(t.name) })),
          );
          provisioned = true;
          if (created.length > 0) log.info({ created }, 'kafka topics provisioned');
        }
        // The relay starts once topics exist: a row for a missing topic would block those behind it.
        relay.start(); // idempotent
        await router.start();
        log.info('consumers started');
        return;
      } catch (err) {
        warn(err, 'cannot start the consumers: is Kafka at KAFKA_BROKERS up? retrying', {
          kafkaBrokers: config.kafkaBrokers.join(','),
          attempt,
        });
        await sleep(backoffMs(attempt + 1, { baseMs: 500, maxMs: 30_000 }), stop.signal);
      }
    }
  })();

  return {
    started: () => started,
    async close() {
      stop.abort();
      // A subscribe stuck on a broker that went away must not hold the shutdown: the
      // subscriptions that did start are closed below either way.
      await withTimeout(() => started, 5_000).catch(() => {});
      await Promise.all([relay.close(), ...jobs.map((j) => j.stop())]);
      await router.close();
      await subscriber.close();
    },
  };
}
