import { after, before, describe, it } from 'node:test';
import { startFaultProxy, type FaultProxy } from '@surge/resilience';
import { deleteTopicsWithPrefix } from '../testing/kafka-topics.ts';
import { runOutageScenario } from '../testing/outage-scenario.ts';
import { scratchDatabase } from '../testing/scratch-database.ts';
import { spawnService, waitFor, type ServiceProcess } from '../testing/spawn-service.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());

/**
 * MySQL behind a fault proxy — cut, black hole, latency — against the real service process
 * (issue 8, finding 1: a cut MySQL ended the process through an unhandled rejection in the outbox
 * relay's named lock). Expected (docs/architecture.md, degradation): cached reads served,
 * users and sessions 503 + Retry-After, workers wait and catch up, healing without a restart.
 */
describe('MySQL faults through a proxy: the service stays up, answers 503 where it must, heals', () => {
  const scratch = scratchDatabase('mysqlfault');
  const prefix = `test-mysqlfault-${crypto.randomUUID().slice(0, 8)}-`;
  let proxy: FaultProxy;
  let svc: ServiceProcess | undefined;
  before(async () => {
    const direct = new URL(scratch.url);
    proxy = await startFaultProxy({ target: { host: direct.hostname, port: Number(direct.port || 3306) } });
  });
  after(async () => {
    if (svc && svc.child.exitCode === null) svc.child.kill('SIGKILL');
    await svc?.exited;
    await proxy.close();
    await Promise.all([scratch.drop(), deleteTopicsWithPrefix(brokers, prefix)]);
  });

  it(
    'cut, black hole, latency, reset: never exits; cached reads 200; users/sessions 503; heals',
    { timeout: 600_000 },
    async (t) => {
      const viaProxy = new URL(scratch.url);
      viaProxy.host = proxy.address;
      svc = await spawnService({
        MYSQL_URL: viaProxy.toString(),
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
      });
      await waitFor(svc, '/health/ready', 200, 60_000);
      await runOutageScenario(t, {
        dependency: 'mysql',
        proxy,
        service: svc,
        scratch,
        whileDown: {
          cachedRead: 'ok',
          register: 'unavailable',
          me: 'unavailable',
          login: 'unavailable',
          refresh: 'unavailable',
          adminWrite: 'unavailable',
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
