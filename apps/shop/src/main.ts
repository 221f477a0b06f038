import closeWithGrace from 'close-with-grace';
import { sleep } from '@surge/resilience';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createContext } from './context.ts';
import { migrateToLatest } from './db/migrate.ts';
import { buildApp } from './http/app.ts';
import { redisConnected } from './infra/redis.ts';
import { createFeatures, moduleEvents, moduleProblems, moduleTopics } from './modules/index.ts';
import { listening, needingMysql, StartupFailure, EX_CONFIG } from './startup-failure.ts';
import { startWorkers } from './workers/worker-role.ts';

/**
 * Composition root and process owner: config → migrations → infrastructure → feature modules →
 * app (api role) and workers (worker role) → listen; signals and fatal errors → drain → close.
 * Reads top to bottom.
 */
async function main(config: Config): Promise<void> {
  const applied = await needingMysql(config.mysqlUrl, () =>
    migrateToLatest(config.mysqlUrl, Math.max(config.dependencyTimeoutMs, 5000)),
  );
  const ctx = createContext(config, { events: moduleEvents(), topics: moduleTopics() });
  const features = await createFeatures(ctx);
  const app = await buildApp(ctx, { features: Object.values(features), problems: moduleProblems() });
  if (applied.length > 0) app.log.info({ migrations: applied }, 'database migrated');
  const workers = config.role === 'api' ? undefined : startWorkers(ctx, Object.values(features));

  // SIGTERM/SIGINT → ready turns 503, in-flight requests finish, clients close. A second signal
  // or the deadline forces exit (close-with-grace); an uncaught error is logged and exits 1.
  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    ctx.lifecycle.state = 'draining';
    if (err) app.log.fatal({ err }, 'fatal error; shutting down');
    else app.log.info({ signal }, 'shutting down: draining in-flight requests');
    if (!err && config.drainDelayMs > 0) await sleep(config.drainDelayMs);
    await app.close();
    app.log.info('http server closed; stopping workers');
    // Consumers finish in-flight messages and commit before the clients close.
    await workers?.close();
    await ctx.close();
    app.log.info('shutdown complete');
  });

  const cacheReady = ctx.cache.ready(config.dependencyTimeoutMs).then(
    () => true,
    () => false,
  );
  if (!(await redisConnected(ctx.redis, config.dependencyTimeoutMs)) || !(await cacheReady)) {
    const { host, port } = new URL(config.redisUrl);
    app.log.warn(
      { redis: `${host}${port ? '' : ':6379'}` },
      'redis (REDIS_URL) is not reachable yet; starting degraded (ready stays 503 until it is)',
    );
  }
  await listening(config.host, config.port, () => app.listen({ host: config.host, port: config.port }));
  if (config.profile === 'dev') {
    const admin = await features.users.ensureAdmin(config.devAdmin.email, config.devAdmin.password);
    // The sample sale is a convenience: a failure to make it never stops the service.
    const demo = await features.flashSales.createDemoSale().catch((err: unknown) => {
      app.log.warn({ err }, 'demo sale not created');
      return undefined;
    });
    const base = `http://${config.host}:${config.port}`;
    process.stdout.write(
      [
        '',
        `Surge is running (${config.role} roles, dev profile)`,
        `  API       ${base}/v1      docs ${base}/docs`,
        `  health    ${base}/health/ready      metrics ${base}/metrics`,
        `  dev admin ${admin.email} / ${config.devAdmin.password}`,
        demo
          ? `  demo sale ${demo.sale.id} (product ${demo.productId}): 1000 units, limit 2, open for an hour`
          : '  demo sale not created (see the log)',
        '  stop      Ctrl-C (service); npm run infra:down (local Kafka)',
        '',
      ].join('\n'),
    );
  }
  ctx.lifecycle.state = 'ready';
}

const USAGE = `usage: node apps/shop/src/main.ts   (npm start runs it with the dev profile)

Runs the Surge service: the HTTP API and/or the event workers (SURGE_ROLE=api|worker|all).
It takes no arguments; every setting is an environment variable, listed with its default in
.env.example and in the README. An invalid setting exits 78 naming each bad variable; a
dependency or port that is not available at start exits 69 naming the variable to check.
`;

if (process.argv.length > 2) {
  const help = process.argv.slice(2).every((a) => a === '--help' || a === '-h');
  (help ? process.stdout : process.stderr).write(help ? USAGE : `surge: unexpected arguments\n${USAGE}`);
  process.exit(help ? 0 : 2);
}

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`surge: ${err.message}\n`);
    process.exit(EX_CONFIG);
  }
  throw err;
}
main(config).catch((err: unknown) => {
  // An operator's problem is one line naming what to fix; anything else is a bug: its stack.
  if (err instanceof StartupFailure) {
    process.stderr.write(`surge: start-up failed: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(
    `surge: start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
