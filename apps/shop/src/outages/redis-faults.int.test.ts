import { after, before, describe, it } from 'node:test';
import { startFaultProxy, type FaultProxy } from '@surge/resilience';
import { testRedisUrl } from '@surge/test-support';
import { deleteTopicsWithPrefix } from '../testing/kafka-topics.ts';
import { runOutageScenario } from '../testing/outage-scenario.ts';
import { scratchDatabase } from '../testing/scratch-database.ts';
import { spawnService, waitFor, type ServiceProcess } from '../testing/spawn-service.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());

/**
 * Redis behind a fault proxy — cut, black hole, latency — against the real service process.
 * Expected (docs/architecture.md, degradation, Redis row; ADR 0003): reads from process memory
 * or MySQL, registration and login work (login without a refresh token), refresh 503 +
 * Retry-After, access tokens still accepted; healing without a restart.
 */
describe('Redis faults through a proxy: the service stays up, only refresh needs Redis, heals', () => {
  const scratch = scratchDatabase('redisfault');
  const prefix = `test-redisfault-${crypto.randomUUID().slice(0, 8)}-`;
  let proxy: FaultProxy;
  let svc: ServiceProcess | undefined;
  before(async () => {
    const direct = new URL(testRedisUrl());
    proxy = await startFaultProxy({ target: { host: direct.hostname, port: Number(direct.port || 6379) } });
  });
  after(async () => {
    if (svc && svc.child.exitCode === null) svc.child.kill('SIGKILL');
    await svc?.exited;
    await proxy.close();
    await Promise.all([scratch.drop(), deleteTopicsWithPrefix(brokers, prefix)]);
  });

  it(
    'cut, black hole, latency, reset: never exits; reads, registration, login work; refresh 503; heals',
    { timeout: 600_000 },
    async (t) => {
      svc = await spawnService({
        MYSQL_URL: scratch.url,
        REDIS_URL: `redis://${proxy.address}`,
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
      });
      await waitFor(svc, '/health/ready', 200, 60_000);
      await runOutageScenario(t, {
        dependency: 'redis',
        proxy,
        service: svc,
        scratch,
        whileDown: {
          cachedRead: 'ok',
          register: 'ok',
          me: 'ok',
          login: 'ok',
          refresh: 'unavailable',
          adminWrite: 'ok',
        },
        modes: [
          { kind: 'cut' },
          { kind: 'blackHole' },
          { kind: 'latency', ms: 50, jitterMs: 25 },
          { kind: 'reset' },
        ],
      });
    },
  );
});
