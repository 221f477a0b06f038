import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.ts';
import { ORDERS_TOPIC } from '../src/modules/orders/order-events.ts';
import { createTokenService, generateKeyPem } from '../src/modules/sessions/tokens.ts';
import { eventually } from '@surge/test-support';
import { deleteTopicsWithPrefix, endOffsets } from '../src/testing/kafka-topics.ts';
import { scratchDatabase } from '../src/testing/scratch-database.ts';
import { spawnService, waitFor, type ServiceProcess } from '../src/testing/spawn-service.ts';
import { runStorm } from './run-storm.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
/** A worker gets this long after SIGTERM (its own deadline, SHUTDOWN_TIMEOUT_MS, is 10 s) before SIGKILL. */
const WORKER_STOP_BOUND_MS = 20_000;

/** Members of a consumer group as the broker sees them (0 while the group does not exist). */
async function groupMembers(group: string): Promise<number> {
  const admin = new Admin({ clientId: 'surge-tests-admin', bootstrapBrokers: brokers, timeout: 10_000 });
  try {
    return (await admin.describeGroups({ groups: [group] })).get(group)?.members.size ?? 0;
  } finally {
    await admin.close();
  }
}

/**
 * The deployment shape of SPEC §2 at its smallest: two api processes and two worker processes on
 * one MySQL database, one Redis and one Kafka topic prefix, all started at once (migrations and
 * topic provisioning race each other as they would in a rollout). A bounded storm is split over
 * both api URLs, so a key's replay often reaches the other instance; the two order-writers share
 * the orders topic's partitions. Then G1–G5 from Redis and MySQL with the storm's own checks.
 */
describe('two api instances and two workers against one sale', () => {
  const prefix = `test-multi-${randomUUID().slice(0, 8)}-`;
  const scratch = scratchDatabase('multi');
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
  let keys: { privateKeyPem: string; publicKeyPem: string };
  let apis: ServiceProcess[] = [];
  let workers: ServiceProcess[] = [];

  before(async () => {
    keys = await generateKeyPem();
    const spawn = (role: 'api' | 'worker') =>
      spawnService({
        SURGE_ROLE: role,
        MYSQL_URL: scratch.url,
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        JWT_PRIVATE_KEY: keys.privateKeyPem,
        JWT_PUBLIC_KEY: keys.publicKeyPem,
        LOG_LEVEL: 'warn',
        // Invariants, not capacity (storm.int.test.ts says why).
        LOAD_SHEDDING: 'false',
      });
    [apis, workers] = await Promise.all([
      Promise.all([spawn('api'), spawn('api')]),
      Promise.all([spawn('worker'), spawn('worker')]),
    ]);
    await Promise.all([...apis, ...workers].map((s) => waitFor(s, '/health/ready', 200, 90_000)));
  });
  after(async () => {
    const all = [...apis, ...workers];
    for (const c of all)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(all.map((c) => c.exited));
    redis.disconnect();
    await Promise.all([scratch.drop(), deleteTopicsWithPrefix(brokers, prefix)]);
  });

  it('holds G1–G5 with the storm split over both api URLs', { timeout: 280_000 }, async (t) => {
    // Both workers in the order-writer group before the crowd arrives, so both share the work.
    const topic = prefix + ORDERS_TOPIC;
    await eventually(
      'the orders topic and two order-writer members',
      async () => {
        const ends = await endOffsets(brokers, [topic]).catch(() => undefined);
        if ((ends?.get(topic)?.length ?? 0) === 0) return undefined;
        return (await groupMembers(`${prefix}surge-order-writer`).catch(() => 0)) === 2 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, progress: () => workers.map((w) => w.output()).join('\n') },
    );
    // The worker that lost the provisioning race used to log "cannot start the consumers: is Kafka
    // … up?" and back off (when they collide; provision-topics.int.test.ts makes them always do).
    for (const w of workers) assert.doesNotMatch(w.output(), /cannot start the consumers/, w.output());
    const config = loadConfig({
      SURGE_PROFILE: 'test',
      JWT_PRIVATE_KEY: keys.privateKeyPem,
      JWT_PUBLIC_KEY: keys.publicKeyPem,
    });
    const result = await runStorm({
      baseUrl: apis.map((a) => a.baseUrl),
      db: scratch.db,
      redis,
      tokens: await createTokenService(config.jwt),
      attempts: 2_000,
      units: 200,
      buyers: 300,
      perUserLimit: 2,
      concurrency: 60,
      // G2 is "written exactly once, eventually": on a loaded CI machine a worker that misses its
      // heartbeats is only replaced after the group's session timeout, so give the drain room.
      drainTimeoutMs: 150_000,
    });
    t.diagnostic(result.report);
    try {
      // On a violation, what the workers logged (warnings and errors) is the first place to look.
      const workerLogs = () =>
        workers
          .map(
            (w, i) =>
              `--- worker ${i + 1}\n${w
                .output()
                .split('\n')
                .filter((l) => /"level":(40|50|60)/.test(l))
                .slice(-40)
                .join('\n')}`,
          )
          .join('\n');
      assert.ok(result.passed, `${result.report}\n${workerLogs()}`);
      for (const c of result.checks) assert.ok(c.pass, `${c.id} ${c.what}: ${c.detail}`);
      assert.doesNotMatch(result.report, /accepted units 0 of/, 'the storm sold something');
      for (const w of [...apis, ...workers])
        assert.equal(w.child.exitCode, null, `a process exited:\n${w.output()}`);
    } finally {
      // Stop: api first (SIGTERM drains them), then both workers at once — mid-rebalance for the
      // group — each bounded, SIGKILL past the bound (the subscriber.close hang, recorded).
      for (const a of apis) a.child.kill('SIGTERM');
      await Promise.all(apis.map((a) => a.exited));
      const stops = await Promise.all(
        workers.map(async (w, i) => {
          const started = performance.now();
          w.child.kill('SIGTERM');
          const timer = setTimeout(() => w.child.kill('SIGKILL'), WORKER_STOP_BOUND_MS);
          const code = await w.exited;
          clearTimeout(timer);
          const ms = performance.now() - started;
          return `worker ${i + 1}: ${w.child.signalCode ?? `exit ${code}`} after ${(ms / 1000).toFixed(1)} s`;
        }),
      );
      t.diagnostic(`stopped: ${stops.join('; ')}`);
    }
  });
});
