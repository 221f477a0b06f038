import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createKafkaPublisher,
  createMessagingMetrics,
  createOutbox,
  currentTrace,
  type MessagingMetrics,
  type Outbox,
  type Publisher,
} from '@surge/messaging';
import {
  createHttpMetrics,
  createMetricsRegistry,
  type HealthCheck,
  type HttpMetrics,
} from '@surge/observability';
import { createBloomFilter, createCache, type BloomFilter, type Cache } from '@surge/cache';
import { Counter } from 'prom-client';
import type { Config } from './config.ts';
import { createCachedProductReader } from './modules/catalog/cached-product-reader.ts';
import type { ProductReader } from './modules/catalog/product-reader.ts';
import { createProductsRepo, type ProductsRepo } from './modules/catalog/products-repo.ts';
import { createDatabase, parseMysqlUrl } from './db/database.ts';
import type { Database } from './db/schema.ts';
import { createKafkaProbe } from './infra/kafka-probe.ts';
import { createRedis } from './infra/redis.ts';
import { createRefreshStore, type RefreshStore } from './modules/sessions/refresh-store.ts';
import { createTokenService, generateKeyPem, type TokenService } from './modules/sessions/tokens.ts';
import { DEFAULT_COST, type ScryptCost } from './modules/users/password.ts';
import { createUsersRepo, type UsersRepo } from './modules/users/users-repo.ts';

/** `starting` until every role is up; `draining` from the first shutdown signal. */
export interface Lifecycle {
  state: 'starting' | 'ready' | 'draining';
}

/** Everything the service is made of, wired by hand (STYLE.md habit 3). */
export interface Context {
  config: Config;
  lifecycle: Lifecycle;
  logger: Logger;
  /** Kafka publisher (acks=all, bounded buffer): outbox relay, dead letters, replays. */
  publisher: Publisher;
  messagingMetrics: MessagingMetrics;
  /** Database-originated events: written in the business transaction, relayed by the worker. */
  outbox: Outbox;
  /** The configured name of a base topic (`surge.users.v1` → with `KAFKA_TOPIC_PREFIX`). */
  topic: (base: string) => string;
  redis: Redis;
  db: Kysely<Database>;
  users: UsersRepo;
  products: ProductsRepo;
  /** Products through the two-tier cache, behind the Bloom filter (SPEC §8). */
  productReader: ProductReader;
  /** Product ids that exist; rebuilt from MySQL by the worker role. */
  productFilter: BloomFilter;
  cache: Cache;
  tokens: TokenService;
  refreshStore: RefreshStore;
  passwordCost: ScryptCost;
  metrics: Registry;
  httpMetrics: HttpMetrics;
  healthChecks: HealthCheck[];
  /** Closes every client; safe to call once after the HTTP server stopped. */
  close(): Promise<void>;
}

/** Log redaction: no secrets or tokens in logs (SPEC §10). */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  '*.password',
  '*.refreshToken',
  '*.accessToken',
];

export async function createContext(config: Config): Promise<Context> {
  const timeoutMs = config.dependencyTimeoutMs;
  const logger = pino({
    level: config.logLevel,
    redact: REDACT,
    // Consumers' log lines carry the trace of the message they handle (router traceContext).
    mixin: () => {
      const trace = currentTrace();
      return trace ? { traceId: trace.traceId } : {};
    },
  });
  const redis = createRedis(config.redisUrl, { timeoutMs, name: `surge-${config.role}` });
  // ioredis emits 'error' on every failed reconnect (without a listener Node would crash): log
  // at most one line per 10 s, readiness reports the outage.
  let lastRedisWarn = 0;
  redis.on('error', (err: Error) => {
    if (Date.now() - lastRedisWarn < 10_000) return;
    lastRedisWarn = Date.now();
    logger.warn({ err }, 'redis connection error');
  });
  const { db } = createDatabase({ url: config.mysqlUrl, timeoutMs });
  const kafkaProbe = createKafkaProbe({
    brokers: config.kafkaBrokers,
    clientId: config.kafkaClientId,
    timeoutMs,
  });

  const keys = config.jwt.privateKeyPem === '' ? await generateKeyPem() : { ...config.jwt };
  const tokens = await createTokenService({ ...config.jwt, ...keys });
  const metrics = createMetricsRegistry({ prefix: 'surge_' });
  // Keyed by database so deployments (and test runs) sharing a Redis never mix their catalogs.
  const database = parseMysqlUrl(config.mysqlUrl).database;
  const cache = createCache({ redis, prefix: `surge:cache:${database}`, metrics, log: logger });
  const products = createProductsRepo(db);
  const productFilter = createBloomFilter({
    redis,
    key: `products.${database}`,
    expectedItems: config.catalogExpectedProducts,
    falsePositiveRate: config.catalogBloomFalsePositiveRate,
    // The same budget as every Redis call; past it the filter answers "maybe" (fail open).
    checkTimeoutMs: timeoutMs,
    log: logger,
  });
  const bloomRejections = new Counter({
    name: 'surge_cache_bloom_rejections_total',
    help: 'Reads answered "not found" by the Bloom filter before the cache or MySQL was touched',
    labelNames: ['namespace'] as const,
    registers: [metrics],
  });
  const publisher = createKafkaPublisher({
    brokers: config.kafkaBrokers,
    clientId: `${config.kafkaClientId}-${config.role}`,
    timeoutMs: Math.max(timeoutMs, 5000),
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
    publisher,
    messagingMetrics: createMessagingMetrics(metrics),
    outbox: createOutbox({ table: 'outbox' }),
    topic: (base) => config.kafkaTopicPrefix + base,
    redis,
    db,
    users: createUsersRepo(db),
    products,
    productFilter,
    cache,
    productReader: createCachedProductReader({
      products: cache.namespace('product'),
      repo: products,
      filter: productFilter,
      onFilterRejected: () => bloomRejections.inc({ namespace: 'product' }),
    }),
    tokens,
    refreshStore: createRefreshStore(redis, config.jwt),
    // Tests hash many passwords: a cheaper (still salted, still scrypt) cost keeps them fast.
    passwordCost: config.profile === 'test' ? { N: 2 ** 12, r: 8, p: 1 } : DEFAULT_COST,
    metrics,
    httpMetrics: createHttpMetrics(metrics),
    healthChecks,
    async close() {
      await cache.close().catch(() => {});
      await Promise.allSettled([redis.quit(), db.destroy(), kafkaProbe.close(), publisher.close()]);
      redis.disconnect();
    },
  };
}
