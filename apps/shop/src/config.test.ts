import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

const keys = { JWT_PRIVATE_KEY: 'pem', JWT_PUBLIC_KEY: 'pem' };

describe('loadConfig', () => {
  it('has documented defaults and is frozen all the way down', () => {
    const c = loadConfig({ SURGE_PROFILE: 'dev' });
    assert.equal(c.port, 3000);
    assert.equal(c.host, '127.0.0.1');
    assert.deepEqual(c.kafkaBrokers, ['127.0.0.1:9092']);
    assert.equal(c.jwt.accessTtlSec, 900);
    assert.equal(c.publicUrl, '/');
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
    });
    assert.equal(c.profile, 'production');
    assert.deepEqual(
      [c.port, c.host, c.role, c.redisUrl, c.mysqlUrl, c.trustProxy, c.jwt.accessTtlSec],
      [8080, '0.0.0.0', 'worker', 'redis://r:6380', 'mysql://u:p@db:3307/shop', true, 60],
    );
    assert.deepEqual(c.kafkaBrokers, ['k1:9092', 'k2:9092']);
    assert.equal(c.publicUrl, 'https://api.example.com');
  });

  it('rejects invalid values with a ConfigError naming each of them', () => {
    assert.throws(
      () => loadConfig({ ...keys, PORT: '3.5' }),
      (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ ...keys, SURGE_ROLE: 'cron', PORT: '70000', MYSQL_URL: 'postgres://x/y' }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /role/.test(e.message) &&
        /port/.test(e.message) &&
        /mysqlUrl/.test(e.message),
    );
    for (const TRUST_PROXY of ['yes', 'abc', '10.0.0.0/33', '10.0.0.1,', '::1/129']) {
      assert.throws(
        () => loadConfig({ ...keys, TRUST_PROXY }),
        /TRUST_PROXY must be true, false or/,
        TRUST_PROXY,
      );
    }
    assert.throws(() => loadConfig({ ...keys, PUBLIC_URL: 'api.example.com' }), /publicUrl/);
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
    assert.throws(() => loadConfig({ ...keys, RATE_LIMIT_INSTANCES: '0' }), /rateLimit\/instances/);
  });

  it('requires JWT keys in production but not in dev/test', () => {
    assert.throws(() => loadConfig({}), /JWT_PRIVATE_KEY and JWT_PUBLIC_KEY/);
    assert.doesNotThrow(() => loadConfig({ SURGE_PROFILE: 'test' }));
  });
});
