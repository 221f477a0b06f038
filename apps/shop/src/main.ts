import closeWithGrace from 'close-with-grace';
import { sleep } from '@surge/resilience';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createContext } from './context.ts';
import { migrateToLatest } from './db/migrate.ts';
import { buildApp } from './http/app.ts';
import { redisConnected } from './infra/redis.ts';
import { createFeatures, moduleEvents, moduleProblems, moduleTopics } from './modules/index.ts';
import { startWorkers } from './workers/worker-role.ts';

/**
 * Composition root and process owner: config → migrations → infrastructure → feature modules →
 * app (api role) and workers (worker role) → listen; signals and fatal errors → drain → close.
 * Reads top to bottom.
 */
async function main(config: Config): Promise<void> {
  const applied = await migrateToLatest(config.mysqlUrl, Math.max(config.dependencyTimeoutMs, 5000));
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
    app.log.warn('redis is not reachable yet; starting degraded (ready stays 503 until it is)');
  }
  await app.listen({ host: config.host, port: config.port });
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

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`surge: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}
main(config).catch((err: unknown) => {
  process.stderr.write(
    `surge: start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
