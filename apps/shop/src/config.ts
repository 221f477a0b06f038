import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/**
 * The service's configuration, read from the environment once at start-up, validated, frozen.
 * Nothing else in the service reads `process.env` (CONTRIBUTING.md habit 4).
 */
const ConfigSchema = Type.Object({
  /** `dev` seeds an admin and allows generated JWT keys; `test` is for the test suites. */
  profile: Type.Union([Type.Literal('dev'), Type.Literal('test'), Type.Literal('production')]),
  /** Which roles this process runs: HTTP `api`, event `worker`, or both (`all`, dev default). */
  role: Type.Union([Type.Literal('api'), Type.Literal('worker'), Type.Literal('all')]),
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  /**
   * The URL clients reach the API at (behind a proxy: its public URL), listed as the OpenAPI
   * document's server. Default `/`: wherever the document is served from.
   */
  publicUrl: Type.String({ pattern: '^(/|https?://)' }),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
  ),
  redisUrl: Type.String({ pattern: '^rediss?://' }),
  /** `mysql://user:password@host:port/database`; the database is created when missing. */
  mysqlUrl: Type.String({ pattern: '^mysql://[^/]+/[A-Za-z0-9_]+$' }),
  kafkaBrokers: Type.Array(Type.String({ pattern: '^[^:]+:[0-9]+$' }), { minItems: 1 }),
  kafkaClientId: Type.String({ minLength: 1 }),
  /**
   * Prepended to every topic and consumer group name. Default empty. Lets several deployments
   * (or test runs) share one cluster without seeing each other's events.
   */
  kafkaTopicPrefix: Type.String({ pattern: '^[A-Za-z0-9._-]*$', maxLength: 100 }),
  /**
   * Largest record the service's producer sends, in bytes, like the Java producer's
   * `max.request.size`; a topic's own `max.message.bytes` (read from the broker) lowers it. Dead
   * letters larger than the limit are stored truncated. Default 1048576 (1 MiB).
   */
  kafkaMaxRecordBytes: Type.Integer({ minimum: 1024, maximum: 2 ** 31 - 1 }),
  jwt: Type.Object({
    /** PKCS#8 PEM of the ES256 signing key; generated per process in dev/test when empty. */
    privateKeyPem: Type.String(),
    /** SPKI PEM of the ES256 verification key. */
    publicKeyPem: Type.String(),
    keyId: Type.String({ minLength: 1 }),
    issuer: Type.String({ minLength: 1 }),
    audience: Type.String({ minLength: 1 }),
    /** Access token lifetime in seconds. Default 900. */
    accessTtlSec: Type.Integer({ minimum: 30, maximum: 86_400 }),
    /** Refresh token (session family) lifetime in seconds. Default 30 days. */
    refreshTtlSec: Type.Integer({ minimum: 60, maximum: 90 * 86_400 }),
  }),
  /** Products the catalog's Bloom filter is sized for. Default 1,000,000. */
  catalogExpectedProducts: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
  /**
   * False-positive rate of that filter: the share of reads of non-existent ids that still reach
   * the cache and MySQL. Default 0.001 (1.8 MB of Redis for 1,000,000 products).
   */
  catalogBloomFalsePositiveRate: Type.Number({ exclusiveMinimum: 0, maximum: 0.5 }),
  /** How often the worker rebuilds the product Bloom filter from MySQL. Default 600000 ms. */
  bloomRebuildIntervalMs: Type.Integer({ minimum: 1000 }),
  /** Budget for one dependency call (Redis command, MySQL query, health probe). Default 1000 ms. */
  dependencyTimeoutMs: Type.Integer({ minimum: 50, maximum: 60_000 }),
  /** Time a SIGTERM allows in-flight work to finish before a forced exit. Default 10000 ms. */
  shutdownTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
  /**
   * After SIGTERM, ready answers 503 for this long while requests are still served, so load
   * balancers stop routing here before the listener closes. Default 0 (set ~5000 behind one).
   */
  drainDelayMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
  /**
   * Access log (one line per request): errors (4xx/5xx) and slow requests are always logged;
   * `mode` decides the rest — `all`, `sampled` (a `sampleRate` share), or `errors` (none).
   * Defaults: `sampled`, 0.01, slow from 1000 ms. Health and metrics probes only when failing.
   */
  accessLog: Type.Object({
    mode: Type.Union([Type.Literal('all'), Type.Literal('errors'), Type.Literal('sampled')]),
    sampleRate: Type.Number({ minimum: 0, maximum: 1 }),
    slowMs: Type.Integer({ minimum: 1 }),
  }),
  /** Trust X-Forwarded-For only behind a known proxy. Default false. */
  trustProxy: Type.Boolean(),
  /** Dev admin seeded by `npm start` in the dev profile. */
  devAdmin: Type.Object({ email: Type.String(), password: Type.String() }),
});

export type Config = Readonly<Static<typeof ConfigSchema>>;

export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
}

type Env = Record<string, string | undefined>;

const int = (env: Env, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new ConfigError(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return n;
};

const bool = (env: Env, name: string, fallback: boolean): boolean => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
};

/**
 * Reads and validates the configuration; throws `ConfigError` naming every invalid variable.
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
    },
    dependencyTimeoutMs: int(env, 'DEPENDENCY_TIMEOUT_MS', 1000),
    catalogExpectedProducts: int(env, 'CATALOG_EXPECTED_PRODUCTS', 1_000_000),
    catalogBloomFalsePositiveRate: Number(env.CATALOG_BLOOM_FP_RATE ?? 0.001),
    bloomRebuildIntervalMs: int(env, 'BLOOM_REBUILD_INTERVAL_MS', 600_000),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000),
    drainDelayMs: int(env, 'SHUTDOWN_DRAIN_DELAY_MS', 0),
    accessLog: {
      mode: env.ACCESS_LOG ?? 'sampled',
      sampleRate: Number(env.ACCESS_LOG_SAMPLE_RATE ?? 0.01),
      slowMs: int(env, 'ACCESS_LOG_SLOW_MS', 1000),
    },
    trustProxy: bool(env, 'TRUST_PROXY', false),
    devAdmin: {
      email: env.DEV_ADMIN_EMAIL ?? 'admin@surge.local',
      password: env.DEV_ADMIN_PASSWORD ?? 'surge-dev-admin-password',
    },
  };
  if (!Value.Check(ConfigSchema, candidate)) {
    const problems = [...Value.Errors(ConfigSchema, candidate)].map(
      (e) => `${e.instancePath || '/'} ${e.message}`,
    );
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const keysMissing = candidate.jwt.privateKeyPem === '' || candidate.jwt.publicKeyPem === '';
  if (keysMissing && profile === 'production' && opts.needsJwtKeys !== false) {
    throw new ConfigError('JWT_PRIVATE_KEY and JWT_PUBLIC_KEY (PEM) are required in the production profile');
  }
  return deepFreeze(candidate);
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
