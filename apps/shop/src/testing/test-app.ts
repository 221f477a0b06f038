import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { withTimeout } from '@surge/resilience';
import { loadConfig, type Config } from '../config.ts';
import { createContext, type Context } from '../context.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { buildApp } from '../http/app.ts';
import { redisConnected } from '../infra/redis.ts';
import {
  createFeatures,
  moduleEvents,
  moduleProblems,
  moduleTopics,
  type Features,
} from '../modules/index.ts';
import { generateKeyPem, type Role } from '../modules/sessions/tokens.ts';
import { startWorkers } from '../workers/worker-role.ts';

export interface TestApp {
  app: FastifyInstance;
  ctx: Context;
  features: Features;
  config: Config;
  /** A valid access token for a new session of `sub` (default: a fresh id) with `role` (account version 0). */
  token(role?: Role, sub?: string): Promise<string>;
  keys: { privateKeyPem: string; publicKeyPem: string };
  close(): Promise<void>;
}

/** The database integration tests use, unless MYSQL_URL points elsewhere. */
export const TEST_MYSQL_URL = 'mysql://root@127.0.0.1:3306/surge_test';

/**
 * Rate limits of test apps: every test file injects from 127.0.0.1 into one shared Redis, so the
 * per-IP login, refresh and registration limits would be shared by all of them (and by runs an
 * hour apart). Tests of the limits set their own, and inject from addresses of their own.
 */
export const GENEROUS_RATE_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMIT_LOGIN_IP: '1000000/1m',
  RATE_LIMIT_LOGIN_ACCOUNT_IP: '1000000/1m',
  RATE_LIMIT_LOGIN_ACCOUNT: '1000000/1m',
  RATE_LIMIT_REGISTER_IP: '1000000/1m',
  RATE_LIMIT_REFRESH_IP: '1000000/1m',
  RATE_LIMIT_PLACEMENT_USER: '1000000/1m',
  RATE_LIMIT_PLACEMENT_IP: '1000000/1m',
  RATE_LIMIT_PLACEMENT_SALE: '1000000/1m',
};

/**
 * Builds the real app on real Redis, MySQL and Kafka (test profile), ready for `app.inject`.
 * `env` overrides single variables, e.g. `{ KAFKA_BROKERS: '127.0.0.1:19092' }`.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  opts: { workers?: boolean; ownDatabase?: boolean } = {},
): Promise<TestApp> {
  const keys = await generateKeyPem();
  // An app with workers runs an outbox relay: it gets a database of its own, so it relays only
  // its own rows (never rows of other test files or earlier runs). A test whose jobs scan tables
  // (a sweep) asks for one too.
  const ownDb =
    (opts.ownDatabase ?? opts.workers) ? `surge_test_${crypto.randomUUID().slice(0, 8)}` : undefined;
  const baseUrl = process.env.MYSQL_URL ?? TEST_MYSQL_URL;
  const config = loadConfig({
    ...process.env,
    MYSQL_URL: ownDb ? baseUrl.replace(/\/[A-Za-z0-9_]+$/, `/${ownDb}`) : baseUrl,
    SURGE_PROFILE: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    JWT_PRIVATE_KEY: keys.privateKeyPem,
    JWT_PUBLIC_KEY: keys.publicKeyPem,
    JWT_KEY_ID: 'test-1',
    // Each test app gets its own topics and groups: runs and files never see each other's events.
    KAFKA_TOPIC_PREFIX: `test-${crypto.randomUUID().slice(0, 8)}-`,
    ...GENEROUS_RATE_LIMITS,
    ...env,
  });
  await migrateToLatest(config.mysqlUrl, 10_000);
  const ctx = createContext(config, { events: moduleEvents(), topics: moduleTopics() });
  const features = await createFeatures(ctx);
  const app = await buildApp(ctx, { features: Object.values(features), problems: moduleProblems() });
  await app.ready();
  await redisConnected(ctx.redis, 5_000);
  await ctx.cache.ready(5_000).catch(() => {}); // a test of a Redis outage starts without it
  const workers = opts.workers ? startWorkers(ctx, Object.values(features)) : undefined;
  // A test publishes at once: its topics must exist first (seen in CI: "Unknown topic" for an
  // order.placed published while the workers were still provisioning). Bounded, for the tests
  // that start workers with Kafka down.
  if (workers) await withTimeout(() => workers.started(), 30_000).catch(() => {});
  ctx.lifecycle.state = 'ready';
  return {
    app,
    ctx,
    features,
    config,
    keys,
    token: (role = 'user', sub = crypto.randomUUID()) =>
      features.sessions.tokens.sign({ sub, role, sid: crypto.randomUUID() }),
    async close() {
      await app.close();
      await workers?.close();
      if (ownDb) await sql.raw(`DROP DATABASE IF EXISTS \`${ownDb}\``).execute(ctx.db);
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
