import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { jwtKeyProblems } from './config-jwt-keys.ts';
import { schemaProblems } from './config-problems.ts';
import { mysqlUrlProblems } from './db/mysql-url.ts';

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
  /** Trust X-Forwarded-For only behind a known proxy. Default false. */
  trustProxy: Type.Boolean({ env: 'TRUST_PROXY' }),
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
    jwt: {
      privateKeyPem: env.JWT_PRIVATE_KEY ?? '',
      publicKeyPem: env.JWT_PUBLIC_KEY ?? '',
      keyId: env.JWT_KEY_ID ?? 'dev-1',
      issuer: env.JWT_ISSUER ?? 'https://surge.local',
      audience: env.JWT_AUDIENCE ?? 'surge-api',
      accessTtlSec: int(env, 'JWT_ACCESS_TTL_SEC', 900),
      refreshTtlSec: int(env, 'JWT_REFRESH_TTL_SEC', 30 * 86_400),
    },
    dependencyTimeoutMs: int(env, 'DEPENDENCY_TIMEOUT_MS', 1000),
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
    trustProxy: bool(env, 'TRUST_PROXY', false),
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
