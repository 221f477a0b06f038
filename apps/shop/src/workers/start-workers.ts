import {
  createKafkaSubscriber,
  createOutboxRelay,
  createRouter,
  deadLetterTopic,
  provisionTopics,
  type Router,
} from '@surge/messaging';
import { backoffMs, sleep, withTimeout } from '@surge/resilience';
import type { Context } from '../context.ts';
import { parseMysqlUrl } from '../db/database.ts';
import { events, topics } from '../events/catalog.ts';
import { USERS_TOPIC } from '../events/user-events.ts';
import { startBloomRebuilder, type BloomRebuilder } from '@surge/cache';
import { CATALOG_TOPIC } from '../events/catalog-events.ts';
import { auditHandler } from './audit-handler.ts';
import { cacheInvalidationHandler } from './cache-invalidation-handler.ts';
import { deadLetterRecorder } from './dead-letter-recorder.ts';
import { notificationsHandler } from './notifications-handler.ts';

export interface Workers {
  close(): Promise<void>;
}

/**
 * The worker role: provisions topics, then runs the outbox relay and the consumers
 * (notifications, audit, cache invalidation, the dead-letter recorder), and rebuilds the product
 * Bloom filter in the background. Start-up never fails on Kafka being down: provisioning retries
 * with capped backoff and the relay and consumers start once it succeeds.
 */
export function startWorkers(ctx: Context): Workers {
  const log = ctx.logger.child({ component: 'workers' });
  const stop = new AbortController();
  const subscriber = createKafkaSubscriber({
    brokers: ctx.config.kafkaBrokers,
    clientId: `${ctx.config.kafkaClientId}-worker`,
    metrics: ctx.metrics,
    onError: (err, context) => log.warn({ err }, context),
  });
  const router: Router = createRouter({
    subscriber,
    publisher: ctx.publisher,
    registry: events,
    metrics: ctx.messagingMetrics,
    log,
  });
  const prefix = ctx.config.kafkaTopicPrefix;
  router.addHandler({
    name: 'notifications',
    topic: prefix + USERS_TOPIC,
    group: `${prefix}surge-notifications`,
    handle: notificationsHandler(ctx.db),
  });
  router.addHandler({
    name: 'audit',
    topic: prefix + USERS_TOPIC,
    group: `${prefix}surge-audit`,
    handle: auditHandler(ctx.db),
  });
  router.addHandler({
    name: 'cache-invalidation',
    topic: prefix + CATALOG_TOPIC,
    group: `${prefix}surge-cache-invalidation`,
    handle: cacheInvalidationHandler(ctx.productReader),
  });
  for (const t of topics) {
    router.addHandler({
      name: `dead-letters:${t.name}`,
      topic: deadLetterTopic(prefix + t.name),
      group: `${prefix}surge-dead-letter-recorder`,
      handle: deadLetterRecorder(ctx.db),
      validate: false,
    });
  }

  // The product Bloom filter, rebuilt from MySQL in the background, one instance at a time.
  const bloomLog = ctx.logger.child({ component: 'bloom-rebuilder' });
  const rebuilder: BloomRebuilder = startBloomRebuilder({
    filter: ctx.productFilter,
    redis: ctx.redis,
    source: () => ctx.products.allIds(),
    intervalMs: ctx.config.bloomRebuildIntervalMs,
    log: bloomLog,
  });
  const relayLog = ctx.logger.child({ component: 'outbox-relay' });
  // One active relay per database, elected by a MySQL named lock (ADR 0004).
  const relay = createOutboxRelay({
    db: ctx.db,
    publisher: ctx.publisher,
    table: ctx.outbox.table,
    lock: { name: `surge-outbox:${parseMysqlUrl(ctx.config.mysqlUrl).database}`.slice(0, 64) },
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
            { brokers: ctx.config.kafkaBrokers, clientId: ctx.config.kafkaClientId },
            topics.map((t) => ({ ...t, name: prefix + t.name })),
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
        log.warn({ err, attempt }, 'starting consumers failed (is Kafka up?); retrying');
        await sleep(backoffMs(attempt + 1, { baseMs: 500, maxMs: 30_000 }), stop.signal);
      }
    }
  })();

  return {
    async close() {
      stop.abort();
      // A subscribe stuck on a broker that went away must not hold the shutdown: the
      // subscriptions that did start are closed below either way.
      await withTimeout(() => started, 5_000).catch(() => {});
      await Promise.all([relay.close(), rebuilder.stop()]);
      await router.close();
      await subscriber.close();
    },
  };
}
