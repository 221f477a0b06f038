import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../config.ts';
import { createContext, type Context } from '../context.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { buildApp } from '../http/app.ts';
import { redisConnected } from '../infra/redis.ts';
import { generateKeyPem } from '../modules/sessions/tokens.ts';

export interface TestApp {
  app: FastifyInstance;
  ctx: Context;
  config: Config;
  keys: { privateKeyPem: string; publicKeyPem: string };
  close(): Promise<void>;
}

/** The database integration tests use, unless MYSQL_URL points elsewhere. */
export const TEST_MYSQL_URL = 'mysql://root@127.0.0.1:3306/surge_test';

/**
 * Builds the real app on real Redis, MySQL and Kafka (test profile), ready for `app.inject`.
 * `env` overrides single variables, e.g. `{ KAFKA_BROKERS: '127.0.0.1:19092' }`.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const keys = await generateKeyPem();
  const config = loadConfig({
    MYSQL_URL: TEST_MYSQL_URL,
    ...process.env,
    SURGE_PROFILE: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    JWT_PRIVATE_KEY: keys.privateKeyPem,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    JWT_KEY_ID: 'test-1',
    ...env,
  });
  await migrateToLatest(config.mysqlUrl, 10_000);
  const ctx = await createContext(config);
  const app = await buildApp(ctx);
  await app.ready();
  await redisConnected(ctx.redis, 5_000);
  ctx.lifecycle.state = 'ready';
  return {
    app,
    ctx,
    config,
    keys,
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}

/** A unique, valid registration body. */
export const newUser = (tag = 'u') => ({
  email: `${tag}-${crypto.randomUUID()}@test.surge`,
  password: 'correct horse battery staple',
  displayName: `Test ${tag}`,
});
