import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/** Where dev/test instances keep the JWT key pair they share when none is configured (git-ignored). */
const DEFAULT_DEV_KEYS_DIR = fileURLToPath(new URL('../../../.dev-keys', import.meta.url));

/**
 * The service's configuration, read from the environment once at start-up, validated, frozen.
 * Nothing else in the service reads `process.env` (CONTRIBUTING.md habit 4).
 */
/** A rate-limit policy: `limit` requests per `windowSec` (GCRA: a burst of `limit`, then evenly), or null: off. */
const RateLimitPolicy = Type.Union([
  Type.Null(),
  Type.Object({
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    windowSec: Type.Integer({ minimum: 1, maximum: 86_400 }),
  }),
]);

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
    /**
     * Seconds after a rotation during which the previous refresh token, presented again (a retry
     * after a lost response or a 503), gets the same new token instead of revoking the session.
     * Default 30; 0 treats every second use as reuse.
     */
    refreshGraceSec: Type.Integer({ minimum: 0, maximum: 300 }),
    /**
     * Outside production, with no keys configured: the directory holding the key pair every
     * instance of this checkout shares (created 0700, the file 0600). Default `<repo>/.dev-keys`.
     */
    devKeysDir: Type.String({ minLength: 1 }),
  }),
  /**
   * How long an instance reuses a user's published account state (role, deletion) before asking
   * Redis again, ms: a demotion or deletion reaches live access tokens within about this long.
   * Default 1000; 0 asks Redis on every authenticated request.
   */
  accountStateCacheMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
  /** Products the catalog's Bloom filter is sized for. Default 1,000,000. */
  catalogExpectedProducts: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
  /**
   * False-positive rate of that filter: the share of reads of non-existent ids that still reach
   * the cache and MySQL. Default 0.001 (1.8 MB of Redis for 1,000,000 products).
   */
  catalogBloomFalsePositiveRate: Type.Number({ exclusiveMinimum: 0, maximum: 0.5 }),
  /** How often the worker rebuilds the product Bloom filter from MySQL. Default 600000 ms. */
  bloomRebuildIntervalMs: Type.Integer({ minimum: 1000 }),
  /** How often a worker puts the stock of sales opening within 10 min into Redis (idempotent). Default 30000 ms. */
  saleWarmIntervalMs: Type.Integer({ minimum: 100 }),
  /** How old each instance's view of a sale's remaining units may be. Default 250 ms. */
  saleRemainingRefreshMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
  /**
   * Budget for Kafka's ack of an order's `order.placed`; past it the reservation is released and
   * the client gets 503. Default 2000 ms.
   */
  orderPublishTimeoutMs: Type.Integer({ minimum: 50, maximum: 30_000 }),
  /** Budget for one dependency call (Redis command, MySQL query, health probe). Default 1000 ms. */
  dependencyTimeoutMs: Type.Integer({ minimum: 50, maximum: 60_000 }),
  /**
   * Longest one MySQL query may take before it fails (transient, 503 on a route) and its
   * connection is dropped: a black-holed MySQL never hangs a request. Default 5000 ms.
   */
  mysqlQueryTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
  /**
   * The MySQL bulkhead (ADR 0011): `size` connections (default 10); up to `queueLimit` queries
   * wait for one (default 100), each at most `queueTimeoutMs` (default 1000 ms); past either,
   * the request is answered 503 `OVERLOADED` with `Retry-After` instead of waiting.
   */
  mysqlPool: Type.Object({
    size: Type.Integer({ minimum: 1, maximum: 1000 }),
    queueLimit: Type.Integer({ minimum: 0, maximum: 100_000 }),
    queueTimeoutMs: Type.Integer({ minimum: 1, maximum: 60_000 }),
  }),
  /**
   * Password hashing (scrypt on libuv's thread pool): at most `concurrency` at once (default 2),
   * up to `queueLimit` waiting (default 8), each at most `queueTimeoutMs` (default 500 ms);
   * past either, login and registration answer 503 `OVERLOADED` (ADR 0011).
   */
  passwordHashing: Type.Object({
    concurrency: Type.Integer({ minimum: 1, maximum: 64 }),
    queueLimit: Type.Integer({ minimum: 0, maximum: 10_000 }),
    queueTimeoutMs: Type.Integer({ minimum: 1, maximum: 60_000 }),
  }),
  /**
   * Adaptive load shedding (ADR 0011): while the event loop is overloaded — utilisation at least
   * `utilizationThreshold` (default 0.9) and delay at least `delayThresholdMs` (default 50) —
   * and until it has been calm for `coolDownMs` (default 1000), requests beyond an adaptive cap
   * on those in flight are answered 503 `OVERLOADED`: reads first, logins and registrations
   * later, health and admin routes never. `enabled` default true (false in the test profile).
   */
  loadShedding: Type.Object({
    enabled: Type.Boolean(),
    utilizationThreshold: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    delayThresholdMs: Type.Integer({ minimum: 1, maximum: 60_000 }),
    coolDownMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
  }),
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
  /**
   * Which peers may set the client address through X-Forwarded-For: none (`false`, default),
   * every hop (`true`: the left-most address, which a client can forge unless the proxy
   * overwrites the header), or the proxies' addresses/CIDRs (the right-most address that is not
   * one of them — what per-IP rate limits need behind a proxy).
   */
  trustProxy: Type.Union([Type.Boolean(), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
  /**
   * Rate limits, `<limit>/<window>` or `off` (docs/adr/0010-rate-limits.md). Defaults: login
   * 20/1m per client IP, 5/1m per account and IP, 100/1h per account (only for clients that have
   * not logged into it before); registration 20/1h per IP; refresh 60/1m per IP; 600/1m per user
   * on every authenticated route.
   */
  rateLimit: Type.Object({
    loginIp: RateLimitPolicy,
    loginAccountIp: RateLimitPolicy,
    loginAccount: RateLimitPolicy,
    registerIp: RateLimitPolicy,
    refreshIp: RateLimitPolicy,
    user: RateLimitPolicy,
    /** Order placements per buyer. Default 10/10s (a retry with the same key counts too). */
    placementUser: RateLimitPolicy,
    /** Order placements per client IP (many buyers may share one NAT). Default 300/10s. */
    placementIp: RateLimitPolicy,
    /** Order placements per sale over every client: what one sale may cost Redis and Kafka. Default 5000/1s. */
    placementSale: RateLimitPolicy,
    /**
     * API instances sharing the limits. While Redis is unreachable each enforces 1/instances of
     * every limit in its own memory. Default 1.
     */
    instances: Type.Integer({ minimum: 1, maximum: 1000 }),
  }),
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

const WINDOW_UNIT_SEC = { s: 1, m: 60, h: 3600 } as const;

/** `20/1m` → 20 requests a minute; `off` → null. Windows in s, m or h. */
const bool = (env: Env, name: string, fallback: boolean): boolean => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
};

const rateLimit = (env: Env, name: string, fallback: string): { limit: number; windowSec: number } | null => {
  const raw = env[name] === undefined || env[name] === '' ? fallback : env[name];
  if (raw === 'off') return null;
  const match = /^(\d{1,7})\/(\d{1,5})([smh])$/.exec(raw);
  if (!match) {
    throw new ConfigError(
      `${name} must be <limit>/<window> such as 20/1m (window in s, m or h) or off, got ${JSON.stringify(raw)}`,
    );
  }
  return {
    limit: Number(match[1]),
    windowSec: Number(match[2]) * WINDOW_UNIT_SEC[match[3] as 's' | 'm' | 'h'],
  };
};

/** `false`, `true`, or a comma-separated list of proxy addresses or CIDRs. */
const trustProxy = (env: Env): boolean | string[] => {
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
  if (!list.every(isAddress)) {
    throw new ConfigError(
      `TRUST_PROXY must be true, false or a comma-separated list of proxy addresses/CIDRs, got ${JSON.stringify(raw)}`,
    );
  }
  return list;
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
    accountStateCacheMs: int(env, 'ACCOUNT_STATE_CACHE_MS', 1000),
    dependencyTimeoutMs: int(env, 'DEPENDENCY_TIMEOUT_MS', 1000),
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
      utilizationThreshold: Number(env.SHED_UTILIZATION_THRESHOLD ?? 0.9),
      delayThresholdMs: int(env, 'SHED_DELAY_THRESHOLD_MS', 50),
      coolDownMs: int(env, 'SHED_COOL_DOWN_MS', 1000),
    },
    catalogExpectedProducts: int(env, 'CATALOG_EXPECTED_PRODUCTS', 1_000_000),
    catalogBloomFalsePositiveRate: Number(env.CATALOG_BLOOM_FP_RATE ?? 0.001),
    bloomRebuildIntervalMs: int(env, 'BLOOM_REBUILD_INTERVAL_MS', 600_000),
    orderPublishTimeoutMs: int(env, 'ORDER_PUBLISH_TIMEOUT_MS', 2000),
    saleWarmIntervalMs: int(env, 'SALE_WARM_INTERVAL_MS', 30_000),
    saleRemainingRefreshMs: int(env, 'SALE_REMAINING_REFRESH_MS', 250),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000),
    drainDelayMs: int(env, 'SHUTDOWN_DRAIN_DELAY_MS', 0),
    accessLog: {
      mode: env.ACCESS_LOG ?? 'sampled',
      sampleRate: Number(env.ACCESS_LOG_SAMPLE_RATE ?? 0.01),
      slowMs: int(env, 'ACCESS_LOG_SLOW_MS', 1000),
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
