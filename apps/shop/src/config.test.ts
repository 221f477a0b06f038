import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from './config.ts';

const pemPair = (namedCurve = 'prime256v1'): Record<'JWT_PRIVATE_KEY' | 'JWT_PUBLIC_KEY', string> => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  return {
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const keys = pemPair();

/** The message of the ConfigError `loadConfig(env)` throws. */
const problemsOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail('loadConfig accepted the environment');
};

describe('loadConfig', () => {
  it('has documented defaults and is frozen all the way down', () => {
    const c = loadConfig({ SURGE_PROFILE: 'dev' });
    assert.equal(c.port, 3000);
    assert.equal(c.host, '127.0.0.1');
    assert.deepEqual(c.kafkaBrokers, ['127.0.0.1:9092']);
    assert.equal(c.jwt.accessTtlSec, 900);
    assert.equal(c.publicUrl, '/');
    assert.deepEqual(c.httpServer, {
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      keepAliveTimeoutMs: 72_000,
      connectionsCheckIntervalMs: 1000,
    });
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.jwt) && Object.isFrozen(c.kafkaBrokers));
  });

  it('reads every variable it documents', () => {
    const c = loadConfig({
      ...keys,
      PORT: '8080',
      HOST: '0.0.0.0',
      SURGE_ROLE: 'worker',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      REDIS_URL: 'redis://r:6380',
      MYSQL_URL: 'mysql://u:p@db:3307/shop',
      TRUST_PROXY: 'true',
      JWT_ACCESS_TTL_SEC: '60',
      PUBLIC_URL: 'https://api.example.com',
      HTTP_REQUEST_TIMEOUT_MS: '20000',
    });
    assert.equal(c.profile, 'production');
    assert.deepEqual(
      [c.port, c.host, c.role, c.redisUrl, c.mysqlUrl, c.trustProxy, c.jwt.accessTtlSec],
      [8080, '0.0.0.0', 'worker', 'redis://r:6380', 'mysql://u:p@db:3307/shop', true, 60],
    );
    assert.deepEqual(c.kafkaBrokers, ['k1:9092', 'k2:9092']);
    assert.equal(c.publicUrl, 'https://api.example.com');
    assert.equal(c.httpServer.requestTimeoutMs, 20_000);
  });

  it('rejects invalid values with a ConfigError naming each of them', () => {
    assert.match(
      problemsOf({ ...keys, PORT: '3.5' }),
      /PORT must be an integer from 0 to 65535 \(got "3.5"\)/,
    );
    const all = problemsOf({ ...keys, SURGE_ROLE: 'cron', PORT: '70000', MYSQL_URL: 'postgres://x/y' });
    assert.match(all, /SURGE_ROLE must be one of api, worker, all \(got "cron"\)/);
    assert.match(all, /PORT must be an integer from 0 to 65535 \(got "70000"\)/);
    assert.match(all, /MYSQL_URL must be mysql:\/\/user:password@host:port\/database/);
    assert.match(problemsOf({ ...keys, TRUST_PROXY: 'yes' }), /TRUST_PROXY must be true, false or/);
    assert.match(problemsOf({ ...keys, PUBLIC_URL: 'api.example.com' }), /PUBLIC_URL must be/);
    assert.match(
      problemsOf({ ...keys, CATALOG_BLOOM_FP_RATE: '1%' }),
      /CATALOG_BLOOM_FP_RATE must be a number/,
    );
    for (const PAYMENT_GATEWAY_URL of ['ftp://gw', 'gw:4100', 'http:// gw', 'http://']) {
      assert.match(problemsOf({ ...keys, PAYMENT_GATEWAY_URL }), /PAYMENT_GATEWAY_URL/, PAYMENT_GATEWAY_URL);
    }
    assert.match(problemsOf({ ...keys, PAYMENT_CURRENCY: 'USD' }), /PAYMENT_CURRENCY/);
    assert.match(problemsOf({ ...keys, ORDER_PAYMENT_WINDOW_MS: '10' }), /ORDER_PAYMENT_WINDOW_MS/);
    assert.equal(
      loadConfig({ ...keys, PAYMENT_GATEWAY_URL: 'https://pay.example.com/v1' }).payments.gatewayUrl,
      'https://pay.example.com/v1',
    );
    for (const TRUST_PROXY of ['yes', 'abc', '10.0.0.0/33', '10.0.0.1,', '::1/129']) {
      assert.throws(
        () => loadConfig({ ...keys, TRUST_PROXY }),
        /TRUST_PROXY must be true, false or/,
        TRUST_PROXY,
      );
    }
  });

  // Issue 8, finding 13: `/logLevel must be equal to constant` eight times, nothing about LOG_LEVEL.
  it('reports LOG_LEVEL=loud once, by the variable, with the levels it accepts', () => {
    const message = problemsOf({ ...keys, LOG_LEVEL: 'loud' });
    assert.deepEqual(message.split('\n').slice(1), [
      '  LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
    assert.doesNotMatch(message, /logLevel|constant/);
  });

  // Issue 8, finding 13: `PORT=abc LOG_LEVEL=loud` named only PORT (the integer parser threw first).
  it('names every invalid variable at once, numbers and booleans included', () => {
    const message = problemsOf({ ...keys, PORT: 'abc', LOG_LEVEL: 'loud', TRUST_PROXY: 'maybe' });
    for (const name of ['PORT', 'LOG_LEVEL', 'TRUST_PROXY'])
      assert.match(message, new RegExp(`^  ${name} `, 'm'));
  });

  it('never echoes a secret: keys are not shown, passwords in URLs are masked', () => {
    const message = problemsOf({
      JWT_PRIVATE_KEY: 'super-secret-not-a-key',
      JWT_PUBLIC_KEY: keys.JWT_PUBLIC_KEY,
      MYSQL_URL: 'mysql://u:hunter2@db/x y',
    });
    assert.doesNotMatch(message, /super-secret|hunter2/);
    assert.match(message, /mysql:\/\/u:\*\*\*@db/);
  });

  it('TRUST_PROXY: off by default, every hop, or a list of proxy addresses and CIDRs', () => {
    assert.equal(loadConfig(keys).trustProxy, false);
    assert.equal(loadConfig({ ...keys, TRUST_PROXY: '1' }).trustProxy, true);
    assert.deepEqual(loadConfig({ ...keys, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy, [
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
    ]);
  });

  it('rate limits: <limit>/<window> in s, m or h, or off; defaults as documented', () => {
    const c = loadConfig({
      ...keys,
      RATE_LIMIT_LOGIN_IP: '7/30s',
      RATE_LIMIT_REGISTER_IP: 'off',
      RATE_LIMIT_USER: '1000/2h',
      RATE_LIMIT_INSTANCES: '3',
    });
    assert.deepEqual(c.rateLimit, {
      loginIp: { limit: 7, windowSec: 30 },
      loginAccountIp: { limit: 5, windowSec: 60 },
      loginAccount: { limit: 100, windowSec: 3600 },
      registerIp: null,
      refreshIp: { limit: 60, windowSec: 60 },
      user: { limit: 1000, windowSec: 7200 },
      placementUser: { limit: 10, windowSec: 10 },
      placementIp: { limit: 300, windowSec: 10 },
      placementSale: { limit: 5000, windowSec: 1 },
      instances: 3,
    });
    for (const bad of ['20', '20/1d', '0/1m', '20/0s', 'x/1m', '20/25h', 'OFF']) {
      assert.throws(
        () => loadConfig({ ...keys, RATE_LIMIT_LOGIN_IP: bad }),
        /RATE_LIMIT_LOGIN_IP must be <limit>\/<window>|rateLimit\/loginIp/,
        bad,
      );
    }
    assert.throws(
      () => loadConfig({ ...keys, RATE_LIMIT_INSTANCES: '0' }),
      /RATE_LIMIT_INSTANCES must be an integer from 1/,
    );
  });

  it('requires JWT keys in production but not in dev/test', () => {
    assert.match(problemsOf({}), /JWT_PRIVATE_KEY and JWT_PUBLIC_KEY are required in the production profile/);
    assert.doesNotThrow(() => loadConfig({ SURGE_PROFILE: 'test' }));
  });

  it('refuses the crash-test pause outside the test profile', () => {
    assert.equal(loadConfig({ SURGE_PROFILE: 'test' }).testPauseAfterReserve, false);
    assert.equal(
      loadConfig({ SURGE_PROFILE: 'test', SURGE_TEST_PAUSE_AFTER_RESERVE: '1' }).testPauseAfterReserve,
      true,
    );
    const profiles: Record<string, string>[] = [
      keys,
      { SURGE_PROFILE: 'dev' },
      { ...keys, SURGE_PROFILE: 'production' },
    ];
    for (const env of profiles) {
      assert.match(
        problemsOf({ ...env, SURGE_TEST_PAUSE_AFTER_RESERVE: 'true' }),
        /SURGE_TEST_PAUSE_AFTER_RESERVE is a crash-test hook, allowed only with SURGE_PROFILE=test/,
      );
      assert.equal(
        loadConfig({ ...env, SURGE_TEST_PAUSE_AFTER_RESERVE: 'false' }).testPauseAfterReserve,
        false,
      );
    }
  });

  // Issue 8, finding 13: a garbage key passed validation and exited 1 with a stack trace from jose.
  it('parses the JWT keys at load: garbage, the wrong curve, a mismatched pair or one key alone', () => {
    assert.match(
      problemsOf({ ...keys, JWT_PRIVATE_KEY: 'garbage' }),
      /JWT_PRIVATE_KEY must be the PKCS#8 PEM .* of an ES256 \(P-256\) key/,
    );
    assert.match(
      problemsOf({ ...keys, JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }),
      /JWT_PUBLIC_KEY must be the SPKI PEM/,
    );
    const p384 = pemPair('secp384r1');
    assert.match(problemsOf(p384), /JWT_PRIVATE_KEY must be .*P-256[\s\S]*JWT_PUBLIC_KEY must be/);
    assert.match(
      problemsOf({ JWT_PRIVATE_KEY: keys.JWT_PRIVATE_KEY, JWT_PUBLIC_KEY: pemPair().JWT_PUBLIC_KEY }),
      /JWT_PUBLIC_KEY is not the public key of JWT_PRIVATE_KEY/,
    );
    assert.match(
      problemsOf({ SURGE_PROFILE: 'dev', JWT_PRIVATE_KEY: keys.JWT_PRIVATE_KEY }),
      /must be set together/,
    );
  });

  it('refuses a headers timeout longer than the request timeout (Node would swap them)', () => {
    assert.match(
      problemsOf({ ...keys, HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '15000' }),
      /HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS/,
    );
  });

  // Issue 8, finding 13: `?ssl=…` was refused by the URL pattern, so TLS to MySQL was impossible.
  it('takes MySQL TLS settings as MYSQL_URL parameters and refuses unknown ones', () => {
    const url = 'mysql://u:p@db.example.com:3306/shop?ssl-mode=VERIFY_IDENTITY';
    assert.equal(loadConfig({ ...keys, MYSQL_URL: url }).mysqlUrl, url);
    assert.match(
      problemsOf({ ...keys, MYSQL_URL: 'mysql://u@db/shop?ssl=true' }),
      /MYSQL_URL parameter "ssl" is unknown; TLS is set with ssl-mode=DISABLED\|REQUIRED\|VERIFY_CA\|VERIFY_IDENTITY/,
    );
    assert.match(
      problemsOf({ ...keys, MYSQL_URL: 'mysql://u@db/shop?ssl-mode=sometimes' }),
      /ssl-mode must be one of DISABLED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY/,
    );
    assert.match(
      problemsOf({ ...keys, MYSQL_URL: 'mysql://u@db/shop?ssl-mode=VERIFY_CA&ssl-ca=/nonexistent/ca.pem' }),
      /MYSQL_URL ssl-ca: cannot read the file "\/nonexistent\/ca.pem"/,
    );
  });
});
