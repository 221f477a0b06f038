import { after, before, describe, it } from 'node:test';
import { startFaultProxy, type FaultProxy } from '@surge/resilience';
import { throwawayKafka, type ThrowawayKafka } from '@surge/test-support';
import { deleteTopicsWithPrefix } from '../testing/kafka-topics.ts';
import { runOutageScenario } from '../testing/outage-scenario.ts';
import { scratchDatabase } from '../testing/scratch-database.ts';
import { spawnService, waitFor, type ServiceProcess } from '../testing/spawn-service.ts';

/**
 * The throwaway broker's own port (controller on the next one); clients only ever see the proxy.
 * Below Linux's ephemeral range (32768–60999): a port inside it can be held by any outgoing or
 * TIME_WAIT socket on the machine at the moment the broker binds, and the broker then fails to start.
 */
const BROKER_PORT = 29192;

/**
 * Kafka behind a fault proxy — cut, black hole, latency — against the real service process. The
 * broker advertises the proxy's port, so every connection of every client (producer, consumers,
 * the readiness probe) passes the proxy. Expected (docs/architecture.md, degradation, Kafka
 * row): every route works, events wait in the outbox, consumers reconnect and resume — every
 * welcome arrives after healing.
 */
describe('Kafka faults through a proxy: the API is unaffected, events wait and then arrive', () => {
  const scratch = scratchDatabase('kafkafault');
  const prefix = `test-kafkafault-${crypto.randomUUID().slice(0, 8)}-`;
  let proxy: FaultProxy;
  let kafka: ThrowawayKafka;
  let svc: ServiceProcess | undefined;
  before(
    async () => {
      proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: BROKER_PORT } });
      kafka = throwawayKafka(BROKER_PORT, { advertisedPort: proxy.port });
      await kafka.up();
    },
    { timeout: 200_000 },
  );
  after(
    async () => {
      if (svc && svc.child.exitCode === null) svc.child.kill('SIGKILL');
      await svc?.exited;
      await proxy.heal();
      await Promise.all([scratch.drop(), deleteTopicsWithPrefix(kafka.brokers, prefix)]);
      await kafka.down();
      await proxy.close();
    },
    { timeout: 90_000 },
  );

  it(
    'cut, black hole, latency: never exits; every route answers; every welcome arrives',
    { timeout: 600_000 },
    async (t) => {
      svc = await spawnService({
        MYSQL_URL: scratch.url,
        KAFKA_BROKERS: kafka.brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
      });
      await waitFor(svc, '/health/ready', 200, 60_000);
      await runOutageScenario(t, {
        dependency: 'kafka',
        proxy,
        service: svc,
        scratch,
        whileDown: {
          cachedRead: 'ok',
          register: 'ok',
          me: 'ok',
          login: 'ok',
          refresh: 'ok',
          adminWrite: 'ok',
        },
        modes: [{ kind: 'cut' }, { kind: 'blackHole' }, { kind: 'latency', ms: 50, jitterMs: 25 }],
        // Past the consumers' session timeout (10 s): the group must take them back after healing.
        minFaultMs: 15_000,
      });
    },
  );
});
