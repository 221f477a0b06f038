import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { jwtKeyProblems } from './config-jwt-keys.ts';
import { schemaProblems } from './config-problems.ts';
import { mysqlUrlProblems } from './db/mysql-url.ts';

/** Where dev/test instances keep the JWT key pair they share when none is configured (git-ignored). */
const DEFAULT_DEV_KEYS_DIR = fileURLToPath(new URL('../../../.dev-keys', import.meta.url));

/** A rate-limit policy: `limit` requests per `windowSec` (GCRA: a burst of `limit`, then evenly), or null: off. */
const rateLimitPolicy = (env: string) =>
  Type.Union(
    [
      Type.Null(),
      Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
        windowSec: Type.Integer({ minimum: 1, maximum: 86_400 }),
      }),
    ],
    {
      env,
      expected: '<limit>/<window> such as 20/1m (window in s, m or h; limit ≤ 1000000, window ≤ 24h) or off',
    },
  );

/**
 * The service's configuration, read from the environment once at start-up, validated, frozen.
 * Nothing else in the service reads `process.env` (CONTRIBUTING.md habit 4). Each field names
 * its variable (`env`) so an invalid value is reported by it, with what it accepts
 * (config-problems.ts).
 */
const ConfigSchema = Type.Object({
  /** `dev` seeds an admin and allows generated JWT keys; `test` is for the test suites. */
  profile: Type.Union([Type.Literal('dev'), Type.Literal('test'), Type.Literal('production')], {
    env: 'SURGE_PROFILE',
  }),
  /** Which roles this process runs: HTTP `api`, event `worker`, or both (`all`, dev default). */
  role: Type.Union([Type.Literal('api'), Type.Literal('worker'), Type.Literal('all')], { env: 'SURGE_ROLE' }),
  host: Type.String({ minLength: 1, env: 'HOST' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, env: 'PORT' }),
  /**
   * The URL clients reach the API at (behind a proxy: its public URL), listed as the OpenAPI
   * document's server. Default `/`: wherever the document is served from.
   */
  publicUrl: Type.String({
    pattern: '^(/|https?://)',
    env: 'PUBLIC_URL',
    expected: 'a path starting with / or an http(s):// URL',
  }),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { env: 'LOG_LEVEL' },
  ),
  redisUrl: Type.String({
    pattern: '^rediss?://',
    env: 'REDIS_URL',
    expected: 'a redis:// or rediss:// URL',
  }),
  /**
   * `mysql://user:password@host:port/database`, optionally `?ssl-mode=…&ssl-ca=…` for TLS
   * (db/mysql-url.ts); the database is created when missing.
   */
  mysqlUrl: Type.String({
    pattern: '^mysql://[^/?#]+/[A-Za-z0-9_]+(\\?[^#]*)?$',
    env: 'MYSQL_URL',
    expected: 'mysql://user:password@host:port/database, optionally followed by ?ssl-mode=…',
  }),
  kafkaBrokers: Type.Array(Type.String({ pattern: '^[^:]+:[0-9]+$' }), {
    minItems: 1,
    env: 'KAFKA_BROKERS',
    expected: 'a comma-separated list of host:port',
  }),
  kafkaClientId: Type.String({ minLength: 1, env: 'KAFKA_CLIENT_ID' }),
  /**
   * Prepended to every topic and consumer group name. Default empty. Lets several deployments
   * (or test runs) share one cluster without seeing each other's events.
   */
  kafkaTopicPrefix: Type.String({
    pattern: '^[A-Za-z0-9._-]*$',
    maxLength: 100,
    env: 'KAFKA_TOPIC_PREFIX',
    expected: 'up to 100 letters, digits, dots, underscores or dashes',
  }),
  /**
   * Largest record the service's producer sends, in bytes, like the Java producer's
   * `max.request.size`; a topic's own `max.message.bytes` (read from the broker) lowers it. Dead
   * letters larger than the limit are stored truncated. Default 1048576 (1 MiB).
   */
  kafkaMaxRecordBytes: Type.Integer({ minimum: 1024, maximum: 2 ** 31 - 1, env: 'KAFKA_MAX_RECORD_BYTES' }),
  jwt: Type.Object({
    /** PKCS#8 PEM of the ES256 signing key; generated per process in dev/test when empty. */
    privateKeyPem: Type.String({ env: 'JWT_PRIVATE_KEY', secret: true }),
    /** SPKI PEM of the ES256 verification key. */
    publicKeyPem: Type.String({ env: 'JWT_PUBLIC_KEY' }),
    keyId: Type.String({ minLength: 1, env: 'JWT_KEY_ID' }),
    issuer: Type.String({ minLength: 1, env: 'JWT_ISSUER' }),
    audience: Type.String({ minLength: 1, env: 'JWT_AUDIENCE' }),
    /** Access token lifetime in seconds. Default 900. */
    accessTtlSec: Type.Integer({ minimum: 30, maximum: 86_400, env: 'JWT_ACCESS_TTL_SEC' }),
    /** Refresh token (session family) lifetime in seconds. Default 30 days. */
    refreshTtlSec: Type.Integer({ minimum: 60, maximum: 90 * 86_400, env: 'JWT_REFRESH_TTL_SEC' }),
    /**
     * Seconds after a rotation during which the previous refresh token, presented again (a retry
     * after a lost response or a 503), gets the same new token instead of revoking the session.
     * Default 30; 0 treats every second use as reuse.
     */
    refreshGraceSec: Type.Integer({ minimum: 0, maximum: 300, env: 'JWT_REFRESH_GRACE_SEC' }),
    /**
     * Outside production, with no keys configured: the directory holding the key pair every
     * instance of this checkout shares (created 0700, the file 0600). Default `<repo>/.dev-keys`.
     */
    devKeysDir: Type.String({ minLength: 1, env: 'JWT_DEV_KEYS_DIR' }),
  }),
  /** Products the catalog's Bloom filter is sized for. Default 1,000,000. */
  catalogExpectedProducts: Type.Integer({
    minimum: 1,
    maximum: 1_000_000_000,
    env: 'CATALOG_EXPECTED_PRODUCTS',
  }),
  /**
   * False-positive rate of that filter: the share of reads of non-existent ids that still reach
   * the cache and MySQL. Default 0.001 (1.8 MB of Redis for 1,000,000 products).
   */
  catalogBloomFalsePositiveRate: Type.Number({
    exclusiveMinimum: 0,
    maximum: 0.5,
    env: 'CATALOG_BLOOM_FP_RATE',
  }),
  /** How often the worker rebuilds the product Bloom filter from MySQL. Default 600000 ms. */
  bloomRebuildIntervalMs: Type.Integer({ minimum: 1000, env: 'BLOOM_REBUILD_INTERVAL_MS' }),
  /**
   * How long an instance reuses a user's published account state (role, deletion) before asking
   * Redis again, ms: a demotion or deletion reaches live access tokens within about this long.
   * Default 1000; 0 asks Redis on every authenticated request.
   */
  accountStateCacheMs: Type.Integer({ minimum: 0, maximum: 60_000, env: 'ACCOUNT_STATE_CACHE_MS' }),
  /** How often a worker puts the stock of sales opening within 10 min into Redis (idempotent). Default 30000 ms. */
  saleWarmIntervalMs: Type.Integer({ minimum: 100, env: 'SALE_WARM_INTERVAL_MS' }),
  /** How old each instance's view of a sale's remaining units may be. Default 250 ms. */
  saleRemainingRefreshMs: Type.Integer({ minimum: 0, maximum: 60_000, env: 'SALE_REMAINING_REFRESH_MS' }),
  /**
   * The payment gateway (locally `npm run gateway`): its URL and API key, the budget of one call
   * (default 2000 ms), retries of a failed call with the same gateway idempotency key (default 2),
   * and the circuit breaker: consecutive failures that open it (default 5) and how long it stays
   * open before a trial call (default 5000 ms). Amounts are charged in `currency` (default usd).
   */
  /**
   * A confirmed order not paid within `orderPaymentWindowMs` (default 600000 = 10 min) is
   * cancelled and its units return. The due schedule in Redis is polled every
   * `paymentDeadlinePollMs` (default 1000); MySQL is swept for what it missed every
   * `paymentSweepIntervalMs` (default 60000).
   */
  orderPaymentWindowMs: Type.Integer({
    minimum: 1000,
    maximum: 7 * 86_400_000,
    env: 'ORDER_PAYMENT_WINDOW_MS',
  }),
  paymentDeadlinePollMs: Type.Integer({ minimum: 50, maximum: 600_000, env: 'PAYMENT_DEADLINE_POLL_MS' }),
  paymentSweepIntervalMs: Type.Integer({
    minimum: 1000,
    maximum: 86_400_000,
    env: 'PAYMENT_SWEEP_INTERVAL_MS',
  }),
  payments: Type.Object({
    gatewayUrl: Type.String({ pattern: '^https?://[^\\s/]+', env: 'PAYMENT_GATEWAY_URL' }),
    gatewayApiKey: Type.String({ minLength: 1, env: 'PAYMENT_GATEWAY_API_KEY' }),
    timeoutMs: Type.Integer({ minimum: 50, maximum: 60_000, env: 'PAYMENT_GATEWAY_TIMEOUT_MS' }),
    retries: Type.Integer({ minimum: 0, maximum: 10, env: 'PAYMENT_GATEWAY_RETRIES' }),
    breakerFailures: Type.Integer({ minimum: 1, maximum: 1000, env: 'PAYMENT_BREAKER_FAILURES' }),
    breakerHalfOpenMs: Type.Integer({ minimum: 100, maximum: 600_000, env: 'PAYMENT_BREAKER_HALF_OPEN_MS' }),
    currency: Type.String({ pattern: '^[a-z]{3}$', env: 'PAYMENT_CURRENCY' }),
  }),
  /**
   * Budget for Kafka's ack of an order's `order.placed`; past it the reservation is released and
   * the client gets 503. Default 2000 ms.
   */
  orderPublishTimeoutMs: Type.Integer({ minimum: 50, maximum: 30_000, env: 'ORDER_PUBLISH_TIMEOUT_MS' }),
  /**
   * Reconciliation (docs/operations.md): a worker, one at a time, every `reconcileIntervalMs`
   * (default 30000) releases reservations still unpublished `reconcileReservationAgeMs` after their
   * reserve (default 60000; must exceed ORDER_PUBLISH_TIMEOUT_MS) and exports each active sale's
   * stock drift.
   */
  reconcileIntervalMs: Type.Integer({ minimum: 1000, maximum: 86_400_000, env: 'RECONCILE_INTERVAL_MS' }),
  reconcileReservationAgeMs: Type.Integer({
    minimum: 1000,
    maximum: 86_400_000,
    env: 'RECONCILE_RESERVATION_AGE_MS',
  }),
  /**
   * Longest one MySQL query may take before it fails (transient, 503 on a route) and its
   * connection is dropped: a black-holed MySQL never hangs a request. Default 5000 ms.
   */
  mysqlQueryTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, env: 'MYSQL_QUERY_TIMEOUT_MS' }),
  /**
   * The MySQL bulkhead (ADR 0011): `size` connections (default 10); up to `queueLimit` queries
   * wait for one (default 100), each at most `queueTimeoutMs` (default 1000 ms); past either,
   * the request is answered 503 `OVERLOADED` with `Retry-After` instead of waiting.
   */
  mysqlPool: Type.Object({
    size: Type.Integer({ minimum: 1, maximum: 1000, env: 'MYSQL_POOL_SIZE' }),
    queueLimit: Type.Integer({ minimum: 0, maximum: 100_000, env: 'MYSQL_QUEUE_LIMIT' }),
    queueTimeoutMs: Type.Integer({ minimum: 1, maximum: 60_000, env: 'MYSQL_QUEUE_TIMEOUT_MS' }),
  }),
  /**
   * Password hashing (scrypt on libuv's thread pool): at most `concurrency` at once (default 2),
   * up to `queueLimit` waiting (default 8), each at most `queueTimeoutMs` (default 500 ms);
   * past either, login and registration answer 503 `OVERLOADED` (ADR 0011).
   */
  passwordHashing: Type.Object({
    concurrency: Type.Integer({ minimum: 1, maximum: 64, env: 'PASSWORD_HASH_CONCURRENCY' }),
    queueLimit: Type.Integer({ minimum: 0, maximum: 10_000, env: 'PASSWORD_HASH_QUEUE_LIMIT' }),
    queueTimeoutMs: Type.Integer({ minimum: 1, maximum: 60_000, env: 'PASSWORD_HASH_QUEUE_TIMEOUT_MS' }),
  }),
  /**
   * Adaptive load shedding (ADR 0011): while the event loop is overloaded — utilisation at least
   * `utilizationThreshold` (default 0.9) and delay at least `delayThresholdMs` (default 50) —
   * and until it has been calm for `coolDownMs` (default 1000), requests beyond an adaptive cap
   * on those in flight are answered 503 `OVERLOADED`: reads first, logins and registrations
   * later, health and admin routes never. `enabled` default true (false in the test profile).
   */
  loadShedding: Type.Object({
    enabled: Type.Boolean({ env: 'LOAD_SHEDDING' }),
    utilizationThreshold: Type.Number({ exclusiveMinimum: 0, maximum: 1, env: 'SHED_UTILIZATION_THRESHOLD' }),
    delayThresholdMs: Type.Integer({ minimum: 1, maximum: 60_000, env: 'SHED_DELAY_THRESHOLD_MS' }),
    coolDownMs: Type.Integer({ minimum: 0, maximum: 60_000, env: 'SHED_COOL_DOWN_MS' }),
  }),
  /** Budget for one dependency call (Redis command, MySQL query, health probe). Default 1000 ms. */
  dependencyTimeoutMs: Type.Integer({ minimum: 50, maximum: 60_000, env: 'DEPENDENCY_TIMEOUT_MS' }),
  /** Time a SIGTERM allows in-flight work to finish before a forced exit. Default 10000 ms. */
  shutdownTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, env: 'SHUTDOWN_TIMEOUT_MS' }),
  /**
   * After SIGTERM, ready answers 503 for this long while requests are still served, so load
   * balancers stop routing here before the listener closes. Default 0 (set ~5000 behind one).
   */
  drainDelayMs: Type.Integer({ minimum: 0, maximum: 60_000, env: 'SHUTDOWN_DRAIN_DELAY_MS' }),
  /**
   * Access log (one line per request): errors (4xx/5xx) and slow requests are always logged;
   * `mode` decides the rest — `all`, `sampled` (a `sampleRate` share), or `errors` (none).
   * Defaults: `sampled`, 0.01, slow from 1000 ms. Health and metrics probes only when failing.
   */
  accessLog: Type.Object({
    mode: Type.Union([Type.Literal('all'), Type.Literal('errors'), Type.Literal('sampled')], {
      env: 'ACCESS_LOG',
    }),
    sampleRate: Type.Number({ minimum: 0, maximum: 1, env: 'ACCESS_LOG_SAMPLE_RATE' }),
    slowMs: Type.Integer({ minimum: 1, env: 'ACCESS_LOG_SLOW_MS' }),
  }),
  /**
   * Timeouts of the HTTP server, so a client that stalls cannot hold a connection (ADR 0015): the
   * request line and headers must arrive within `headersTimeoutMs`, the whole request (body
   * included) within `requestTimeoutMs`, which is not shorter; an idle keep-alive connection
   * closes after `keepAliveTimeoutMs` (keep it above the idle timeout of a load balancer in
   * front). Node looks for expired requests every `connectionsCheckIntervalMs`, so a stalled
   * client is cut between its timeout and the timeout plus that interval.
   * Defaults 10000, 15000, 72000 and 1000 ms.
   */
  httpServer: Type.Object({
    headersTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, env: 'HTTP_HEADERS_TIMEOUT_MS' }),
    requestTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, env: 'HTTP_REQUEST_TIMEOUT_MS' }),
    keepAliveTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000, env: 'HTTP_KEEP_ALIVE_TIMEOUT_MS' }),
    connectionsCheckIntervalMs: Type.Integer({
      minimum: 10,
      maximum: 60_000,
      env: 'HTTP_CONNECTIONS_CHECK_INTERVAL_MS',
    }),
  }),
  /**
   * Which peers may set the client address through X-Forwarded-For: none (`false`, default),
   * every hop (`true`: the left-most address, which a client can forge unless the proxy
   * overwrites the header), or the proxies' addresses/CIDRs (the right-most address that is not
   * one of them — what per-IP rate limits need behind a proxy).
   */
  trustProxy: Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
    env: 'TRUST_PROXY',
    expected: 'true, false or a comma-separated list of proxy addresses/CIDRs',
  }),
  /**
   * Rate limits, `<limit>/<window>` or `off` (docs/adr/0010-rate-limits.md). Defaults: login
   * 20/1m per client IP, 5/1m per account and IP, 100/1h per account (only for clients that have
   * not logged into it before); registration 20/1h per IP; refresh 60/1m per IP; 600/1m per user
   * on every authenticated route; placements 10/10s per buyer, 300/10s per client IP, 5000/1s per sale.
   */
  rateLimit: Type.Object({
    loginIp: rateLimitPolicy('RATE_LIMIT_LOGIN_IP'),
    loginAccountIp: rateLimitPolicy('RATE_LIMIT_LOGIN_ACCOUNT_IP'),
    loginAccount: rateLimitPolicy('RATE_LIMIT_LOGIN_ACCOUNT'),
    registerIp: rateLimitPolicy('RATE_LIMIT_REGISTER_IP'),
    refreshIp: rateLimitPolicy('RATE_LIMIT_REFRESH_IP'),
    user: rateLimitPolicy('RATE_LIMIT_USER'),
    /** Order placements per buyer (a retry with the same key counts too). */
    placementUser: rateLimitPolicy('RATE_LIMIT_PLACEMENT_USER'),
    /** Order placements per client IP (many buyers may share one NAT). */
    placementIp: rateLimitPolicy('RATE_LIMIT_PLACEMENT_IP'),
    /** Order placements per sale over every client: what one sale may cost Redis and Kafka. */
    placementSale: rateLimitPolicy('RATE_LIMIT_PLACEMENT_SALE'),
    /**
     * API instances sharing the limits. While Redis is unreachable each enforces 1/instances of
     * every limit in its own memory. Default 1.
     */
    instances: Type.Integer({ minimum: 1, maximum: 1000, env: 'RATE_LIMIT_INSTANCES' }),
  }),
  /**
   * Test profile only (refused elsewhere): every placement stops for good between its Redis
   * reservation and its publish, after logging `paused after reserve` with the orderId, so a
   * crash test can SIGKILL the process there (placement-crash.int.test.ts). Default false.
   */
  testPauseAfterReserve: Type.Boolean({ env: 'SURGE_TEST_PAUSE_AFTER_RESERVE' }),
  /** Dev admin seeded by `npm start` in the dev profile. */
  devAdmin: Type.Object({
    email: Type.String({ env: 'DEV_ADMIN_EMAIL' }),
    password: Type.String({ env: 'DEV_ADMIN_PASSWORD', secret: true }),
  }),
});

export type Config = Readonly<Static<typeof ConfigSchema>>;

export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
}

type Env = Record<string, string | undefined>;

// A malformed number or boolean is kept as the raw string: the schema check then reports it
// with every other invalid variable at once, instead of the first one alone.
const INTEGER = /^-?[0-9]+$/;
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;

const int = (env: Env, name: string, fallback: number): number | string => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return INTEGER.test(raw) ? Number(raw) : raw;
};

const num = (env: Env, name: string, fallback: number): number | string => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return DECIMAL.test(raw) ? Number(raw) : raw;
};

const bool = (env: Env, name: string, fallback: boolean): boolean | string => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  return raw;
};

const WINDOW_UNIT_SEC = { s: 1, m: 60, h: 3600 } as const;

/** `20/1m` → 20 requests a minute; `off` → null. Windows in s, m or h; a malformed value stays raw. */
const rateLimit = (
  env: Env,
  name: string,
  fallback: string,
): { limit: number; windowSec: number } | null | string => {
  const raw = env[name] === undefined || env[name] === '' ? fallback : env[name];
  if (raw === 'off') return null;
  const match = /^(\d{1,7})\/(\d{1,5})([smh])$/.exec(raw);
  if (!match) return raw;
  return {
    limit: Number(match[1]),
    windowSec: Number(match[2]) * WINDOW_UNIT_SEC[match[3] as 's' | 'm' | 'h'],
  };
};

/** `false`, `true`, or a comma-separated list of proxy addresses or CIDRs; a malformed value stays raw. */
const trustProxy = (env: Env): boolean | string[] | string => {
  const raw = env.TRUST_PROXY;
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  const list = raw.split(',').map((a) => a.trim());
  const isAddress = (a: string) => {
    const [ip = '', bits, ...rest] = a.split('/');
    const family = isIP(ip);
    const maxBits = family === 6 ? 128 : 32;
    return (
      family !== 0 &&
      rest.length === 0 &&
      (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits))
    );
  };
  return list.every(isAddress) ? list : raw;
};

/**
 * Reads and validates the configuration; throws `ConfigError` naming every invalid variable, one
 * line each with what it accepts (JWT keys are parsed here too, MYSQL_URL's TLS files checked).
 * `opts.needsJwtKeys` (default true) is false for tools that never sign tokens (admin:create).
 */
export function loadConfig(env: Env = process.env, opts: { needsJwtKeys?: boolean } = {}): Config {
  const profile = env.SURGE_PROFILE ?? 'production';
  const candidate = {
    profile,
    role: env.SURGE_ROLE ?? 'all',
    host: env.HOST ?? '127.0.0.1',
    port: int(env, 'PORT', 3000),
    publicUrl: env.PUBLIC_URL ?? '/',
    logLevel: env.LOG_LEVEL ?? (profile === 'test' ? 'warn' : 'info'),
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    mysqlUrl: env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/surge',
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    kafkaClientId: env.KAFKA_CLIENT_ID ?? 'surge-shop',
    kafkaTopicPrefix: env.KAFKA_TOPIC_PREFIX ?? '',
    kafkaMaxRecordBytes: int(env, 'KAFKA_MAX_RECORD_BYTES', 1_048_576),
    jwt: {
      privateKeyPem: env.JWT_PRIVATE_KEY ?? '',
      publicKeyPem: env.JWT_PUBLIC_KEY ?? '',
      keyId: env.JWT_KEY_ID ?? 'dev-1',
      issuer: env.JWT_ISSUER ?? 'https://surge.local',
      audience: env.JWT_AUDIENCE ?? 'surge-api',
      accessTtlSec: int(env, 'JWT_ACCESS_TTL_SEC', 900),
      refreshTtlSec: int(env, 'JWT_REFRESH_TTL_SEC', 30 * 86_400),
      refreshGraceSec: int(env, 'JWT_REFRESH_GRACE_SEC', 30),
      devKeysDir: env.JWT_DEV_KEYS_DIR || DEFAULT_DEV_KEYS_DIR,
    },
    dependencyTimeoutMs: int(env, 'DEPENDENCY_TIMEOUT_MS', 1000),
    accountStateCacheMs: int(env, 'ACCOUNT_STATE_CACHE_MS', 1000),
    mysqlQueryTimeoutMs: int(env, 'MYSQL_QUERY_TIMEOUT_MS', 5000),
    mysqlPool: {
      size: int(env, 'MYSQL_POOL_SIZE', 10),
      queueLimit: int(env, 'MYSQL_QUEUE_LIMIT', 100),
      queueTimeoutMs: int(env, 'MYSQL_QUEUE_TIMEOUT_MS', 1000),
    },
    passwordHashing: {
      concurrency: int(env, 'PASSWORD_HASH_CONCURRENCY', 2),
      queueLimit: int(env, 'PASSWORD_HASH_QUEUE_LIMIT', 8),
      queueTimeoutMs: int(env, 'PASSWORD_HASH_QUEUE_TIMEOUT_MS', 500),
    },
    loadShedding: {
      // Off in the test profile: suites burst thousands of in-process requests on purpose (and
      // share a small machine); the shedding tests turn it on.
      enabled: bool(env, 'LOAD_SHEDDING', profile !== 'test'),
      utilizationThreshold: num(env, 'SHED_UTILIZATION_THRESHOLD', 0.9),
      delayThresholdMs: int(env, 'SHED_DELAY_THRESHOLD_MS', 50),
      coolDownMs: int(env, 'SHED_COOL_DOWN_MS', 1000),
    },
    orderPublishTimeoutMs: int(env, 'ORDER_PUBLISH_TIMEOUT_MS', 2000),
    reconcileIntervalMs: int(env, 'RECONCILE_INTERVAL_MS', 30_000),
    reconcileReservationAgeMs: int(env, 'RECONCILE_RESERVATION_AGE_MS', 60_000),
    saleWarmIntervalMs: int(env, 'SALE_WARM_INTERVAL_MS', 30_000),
    saleRemainingRefreshMs: int(env, 'SALE_REMAINING_REFRESH_MS', 250),
    orderPaymentWindowMs: int(env, 'ORDER_PAYMENT_WINDOW_MS', 600_000),
    paymentDeadlinePollMs: int(env, 'PAYMENT_DEADLINE_POLL_MS', 1000),
    paymentSweepIntervalMs: int(env, 'PAYMENT_SWEEP_INTERVAL_MS', 60_000),
    payments: {
      gatewayUrl: env.PAYMENT_GATEWAY_URL || 'http://127.0.0.1:4100',
      gatewayApiKey: env.PAYMENT_GATEWAY_API_KEY || 'sk_test_surge',
      timeoutMs: int(env, 'PAYMENT_GATEWAY_TIMEOUT_MS', 2000),
      retries: int(env, 'PAYMENT_GATEWAY_RETRIES', 2),
      breakerFailures: int(env, 'PAYMENT_BREAKER_FAILURES', 5),
      breakerHalfOpenMs: int(env, 'PAYMENT_BREAKER_HALF_OPEN_MS', 5000),
      currency: env.PAYMENT_CURRENCY || 'usd',
    },
    catalogExpectedProducts: int(env, 'CATALOG_EXPECTED_PRODUCTS', 1_000_000),
    catalogBloomFalsePositiveRate: num(env, 'CATALOG_BLOOM_FP_RATE', 0.001),
    bloomRebuildIntervalMs: int(env, 'BLOOM_REBUILD_INTERVAL_MS', 600_000),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000),
    drainDelayMs: int(env, 'SHUTDOWN_DRAIN_DELAY_MS', 0),
    accessLog: {
      mode: env.ACCESS_LOG ?? 'sampled',
      sampleRate: num(env, 'ACCESS_LOG_SAMPLE_RATE', 0.01),
      slowMs: int(env, 'ACCESS_LOG_SLOW_MS', 1000),
    },
    httpServer: {
      headersTimeoutMs: int(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000),
      requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 15_000),
      keepAliveTimeoutMs: int(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000),
      connectionsCheckIntervalMs: int(env, 'HTTP_CONNECTIONS_CHECK_INTERVAL_MS', 1000),
    },
    trustProxy: trustProxy(env),
    rateLimit: {
      loginIp: rateLimit(env, 'RATE_LIMIT_LOGIN_IP', '20/1m'),
      loginAccountIp: rateLimit(env, 'RATE_LIMIT_LOGIN_ACCOUNT_IP', '5/1m'),
      loginAccount: rateLimit(env, 'RATE_LIMIT_LOGIN_ACCOUNT', '100/1h'),
      registerIp: rateLimit(env, 'RATE_LIMIT_REGISTER_IP', '20/1h'),
      refreshIp: rateLimit(env, 'RATE_LIMIT_REFRESH_IP', '60/1m'),
      user: rateLimit(env, 'RATE_LIMIT_USER', '600/1m'),
      placementUser: rateLimit(env, 'RATE_LIMIT_PLACEMENT_USER', '10/10s'),
      placementIp: rateLimit(env, 'RATE_LIMIT_PLACEMENT_IP', '300/10s'),
      placementSale: rateLimit(env, 'RATE_LIMIT_PLACEMENT_SALE', '5000/1s'),
      instances: int(env, 'RATE_LIMIT_INSTANCES', 1),
    },
    testPauseAfterReserve: bool(env, 'SURGE_TEST_PAUSE_AFTER_RESERVE', false),
    devAdmin: {
      email: env.DEV_ADMIN_EMAIL ?? 'admin@surge.local',
      password: env.DEV_ADMIN_PASSWORD ?? 'surge-dev-admin-password',
    },
  };
  const { jwt, httpServer } = candidate;
  const problems = [
    ...schemaProblems(ConfigSchema, candidate, env),
    ...(typeof candidate.mysqlUrl === 'string' ? mysqlUrlProblems(candidate.mysqlUrl) : []),
    ...jwtKeyProblems(jwt.privateKeyPem, jwt.publicKeyPem),
  ];
  const keysMissing = jwt.privateKeyPem === '' && jwt.publicKeyPem === '';
  if (keysMissing && profile === 'production' && opts.needsJwtKeys !== false) {
    problems.push(
      'JWT_PRIVATE_KEY and JWT_PUBLIC_KEY are required in the production profile (PKCS#8 and SPKI PEM of an ES256 key pair; the README shows how to make one)',
    );
  }
  if (candidate.testPauseAfterReserve === true && profile !== 'test') {
    problems.push(
      `SURGE_TEST_PAUSE_AFTER_RESERVE is a crash-test hook, allowed only with SURGE_PROFILE=test (not ${profile})`,
    );
  }
  if (Number(candidate.reconcileReservationAgeMs) <= Number(candidate.orderPublishTimeoutMs)) {
    problems.push(
      'RECONCILE_RESERVATION_AGE_MS must exceed ORDER_PUBLISH_TIMEOUT_MS (reconciliation would release placements still waiting for their ack)',
    );
  }
  if (Number(httpServer.headersTimeoutMs) > Number(httpServer.requestTimeoutMs)) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }
  if (problems.length > 0 || !Value.Check(ConfigSchema, candidate)) {
    throw new ConfigError(
      `invalid configuration (every variable and its default: .env.example):\n  ${problems.join('\n  ')}`,
    );
  }
  return deepFreeze(candidate);
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
