import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createKafkaPublisher,
  createMessagingMetrics,
  createOutbox,
  type EventRegistry,
  type MessagingMetrics,
  type Outbox,
  type Publisher,
  type RecordPublisher,
  type TopicSpec,
} from '@surge/messaging';
import { createMetricsRegistry, type HealthCheck } from '@surge/observability';
import { createCache, type Cache } from '@surge/cache';
import type { Config } from './config.ts';
import { createDatabase, parseMysqlUrl } from './db/database.ts';
import type { Database } from './db/schema.ts';
import { createKafkaProbe } from './infra/kafka-probe.ts';
import { createLogger } from './infra/logger.ts';
import { createRedis } from './infra/redis.ts';
import { createOverloadReporter, type OverloadReporter } from './infra/overload-reporter.ts';
import { createThrottle } from '@surge/resilience';
import { createRateLimiter, type RateLimiter } from '@surge/redis-kit';

/** `ce_source` of every event this service publishes. */
export const EVENT_SOURCE = '/surge/shop';

/** `starting` until every role is up; `draining` from the first shutdown signal. */
export interface Lifecycle {
  state: 'starting' | 'ready' | 'draining';
}

/**
 * The shared infrastructure every feature is built on: clients, config, logger, metrics and
 * lifecycle — nothing feature-specific (features live in modules/, ADR 0008).
 */
export interface Context {
  config: Config;
  lifecycle: Lifecycle;
  logger: Logger;
  metrics: Registry;
  messagingMetrics: MessagingMetrics;
  /** Counts and throttle-logs bulkhead refusals and shed requests (ADR 0011). */
  overload: OverloadReporter;
  redis: Redis;
  db: Kysely<Database>;
  /** Kafka publisher (acks=all, bounded buffer): outbox relay, dead letters (as bytes), replays. */
  publisher: Publisher & RecordPublisher;
  /** Database-originated events: written in the business transaction, relayed by the worker. */
  outbox: Outbox;
  /** Every event type of every module: one schema shared by producers and consumers. */
  events: EventRegistry;
  /** Every module's topics, unprefixed (the worker provisions them, each with its `.dlt`). */
  topics: readonly TopicSpec[];
  /** The configured name of a base topic (`surge.users.v1` → with `KAFKA_TOPIC_PREFIX`). */
  topic: (base: string) => string;
  /** Two-tier cache (L1 memory, L2 Redis, bus); features take namespaces of it. */
  cache: Cache;
  /**
   * GCRA rate limits shared through Redis; while Redis is unreachable each instance decides in
   * memory with its share of every limit (docs/adr/0010-rate-limits.md).
   */
  rateLimiter: RateLimiter;
  /** The name of the database (`surge`): keys shared stores (Redis) per deployment. */
  databaseName: string;
  healthChecks: HealthCheck[];
  /** Closes every client; safe to call once after the HTTP server stopped. */
  close(): Promise<void>;
}

export function createContext(
  config: Config,
  modules: { events: EventRegistry; topics: readonly TopicSpec[] },
): Context {
  const timeoutMs = config.dependencyTimeoutMs;
  const logger = createLogger(config);
  const redis = createRedis(config.redisUrl, { timeoutMs, name: `surge-${config.role}` });
  // ioredis emits 'error' on every failed reconnect (without a listener Node would crash): log
  // at most one line per 10 s, readiness reports the outage.
  const redisErrors = createThrottle(10_000);
  redis.on('error', (err: Error) => {
    const suppressed = redisErrors.pass();
    if (suppressed !== undefined) logger.warn({ err, suppressed }, 'redis connection error');
  });
  const metrics = createMetricsRegistry({ prefix: 'surge_' });
  const overload = createOverloadReporter(metrics, logger);
  const { db, slots: mysqlSlots } = createDatabase({
    url: config.mysqlUrl,
    timeoutMs,
    queryTimeoutMs: config.mysqlQueryTimeoutMs,
    connectionLimit: config.mysqlPool.size,
    queue: { limit: config.mysqlPool.queueLimit, timeoutMs: config.mysqlPool.queueTimeoutMs },
    onReject: (reason) => overload.rejected('mysql', reason),
  });
  overload.watch('mysql', mysqlSlots);
  const kafkaProbe = createKafkaProbe({
    brokers: config.kafkaBrokers,
    clientId: config.kafkaClientId,
    timeoutMs,
  });
  // Keyed by database so deployments (and test runs) sharing a Redis never mix their data.
  const databaseName = parseMysqlUrl(config.mysqlUrl).database;
  const cache = createCache({ redis, prefix: `surge:cache:${databaseName}`, metrics, log: logger });
  // One hash tag: every key of a call shares a slot on a Redis Cluster (ADR 0010).
  const rateLimiter = createRateLimiter({
    redis,
    prefix: `surge:rl:{${databaseName}}:`,
    timeoutMs,
    fallback: { share: 1 / config.rateLimit.instances, maxKeys: 50_000 },
    log: logger,
  });
  const publisher = createKafkaPublisher({
    brokers: config.kafkaBrokers,
    clientId: `${config.kafkaClientId}-${config.role}`,
    timeoutMs: Math.max(timeoutMs, 5000),
    maxRecordBytes: config.kafkaMaxRecordBytes,
  });

  const healthChecks: HealthCheck[] = [
    { name: 'redis', componentType: 'datastore', check: async () => void (await redis.ping()) },
    {
      name: 'mysql',
      componentType: 'datastore',
      check: async () => void (await sql`SELECT 1`.execute(db)),
    },
    { name: 'kafka', componentType: 'component', check: () => kafkaProbe.check() },
  ];

  return {
    config,
    lifecycle: { state: 'starting' },
    logger,
    metrics,
    messagingMetrics: createMessagingMetrics(metrics),
    overload,
    redis,
    db,
    publisher,
    outbox: createOutbox({ table: 'outbox' }),
    events: modules.events,
    topics: modules.topics,
    topic: (base) => config.kafkaTopicPrefix + base,
    cache,
    rateLimiter,
    databaseName,
    healthChecks,
    async close() {
      await cache.close().catch(() => {});
      await Promise.allSettled([redis.quit(), db.destroy(), kafkaProbe.close(), publisher.close()]);
      redis.disconnect();
      logger.flush();
    },
  };
}
