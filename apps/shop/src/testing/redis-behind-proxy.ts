import { startFaultProxy, type FaultProxy } from '@surge/resilience';
import { throwawayRedis, type ThrowawayRedis } from '@surge/test-support';
import { startTestApp, type TestApp } from './test-app.ts';

export interface RedisBehindProxy {
  /** The test's own redis-server (its `url` bypasses the proxy). */
  server: ThrowawayRedis;
  proxy: FaultProxy;
  /** Where the service under test connects: through the proxy. */
  url: string;
  /** Closes the proxy, then stops the server. */
  close(): Promise<void>;
}

/**
 * A redis-server of the test's own behind a fault proxy: a test cuts or black-holes the proxy,
 * never the shared Redis that other tests and CI use.
 */
export async function redisBehindProxy(): Promise<RedisBehindProxy> {
  const server = await throwawayRedis();
  const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: server.port } }).catch(
    async (err: unknown) => {
      await server.stop();
      throw err;
    },
  );
  return {
    server,
    proxy,
    url: `redis://${proxy.address}`,
    async close() {
      try {
        await proxy.close();
      } finally {
        await server.stop();
      }
    },
  };
}

export interface AppBehindRedisProxy {
  redis: RedisBehindProxy;
  t: TestApp;
  /** Heals the proxy, closes the app, then the proxy and the server. */
  close(): Promise<void>;
}

/** The service in-process (startTestApp) on a redis-server of its own behind a fault proxy. */
export async function testAppBehindRedisProxy(
  env: Record<string, string> = {},
): Promise<AppBehindRedisProxy> {
  const redis = await redisBehindProxy();
  const t = await startTestApp({ ...env, REDIS_URL: redis.url }).catch(async (err: unknown) => {
    await redis.close();
    throw err;
  });
  return {
    redis,
    t,
    async close() {
      try {
        await redis.proxy.heal();
        await t.close();
      } finally {
        await redis.close();
      }
    },
  };
}
