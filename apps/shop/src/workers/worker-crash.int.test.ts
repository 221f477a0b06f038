import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import { createKafkaPublisher, provisionTopics, type Message } from '@surge/messaging';
import { moduleTopics } from '../modules/index.ts';
import { USERS_TOPIC, UserRegistered } from '../modules/users/user-events.ts';
import { eventually, pause } from '@surge/test-support';
import { committedOffsets, deleteTopicsWithPrefix } from '../testing/kafka-topics.ts';
import { scratchDatabase } from '../testing/scratch-database.ts';
import { spawnService, type ServiceProcess } from '../testing/spawn-service.ts';

const EVENTS = 10_000;
const BATCH = 500;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());

/**
 * G6 under a crash: a worker killed with SIGKILL in the middle of a backlog loses its uncommitted
 * offsets, so its successor redelivers what it had already handled. Each side effect must still
 * exist exactly once, as MySQL itself shows.
 */
describe('kill -9 a worker while it consumes 10,000 messages, then restart it', () => {
  const prefix = `test-crash-${crypto.randomUUID().slice(0, 8)}-`;
  const scratch = scratchDatabase('crash');
  const children: ServiceProcess[] = [];
  const worker = async () => {
    const svc = await spawnService({
      SURGE_ROLE: 'worker',
      MYSQL_URL: scratch.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    });
    children.push(svc);
    return svc;
  };

  before(async () => {
    await provisionTopics(
      { brokers, clientId: 'worker-crash-test' },
      moduleTopics().map((t) => ({ ...t, name: prefix + t.name })),
    );
  });
  after(async () => {
    for (const c of children)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await Promise.all([scratch.drop(), deleteTopicsWithPrefix(brokers, prefix)]);
  });

  it(
    'every published event has exactly one notification and one audit row',
    { timeout: 170_000 },
    async (t) => {
      const started = Date.now();
      const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
      const published: Message[] = Array.from({ length: EVENTS }, (_, i) => {
        const userId = uuidv7();
        return UserRegistered.create(
          {
            userId,
            email: `crash-${i}@test.surge`,
            displayName: `Crash ${i}`,
            registeredAt: new Date().toISOString(),
          },
          { key: userId, subject: userId, source: '/tests/worker-crash' },
        );
      });
      const publisher = createKafkaPublisher({ brokers, clientId: 'worker-crash-test', timeoutMs: 30_000 });
      try {
        for (let i = 0; i < EVENTS; i += BATCH) {
          await publisher.publish(prefix + USERS_TOPIC, published.slice(i, i + BATCH));
        }
      } finally {
        await publisher.close();
      }
      t.diagnostic(`${at()}: ${EVENTS} events published`);

      // First worker: killed once it is well into the backlog, long before its end.
      const first = await worker();
      let notified = 0;
      await eventually(
        'the first worker to write 1,000 notifications',
        async () => {
          if (first.child.exitCode !== null) throw new Error(`worker exited early:\n${first.output()}`);
          notified = await scratch.count('notifications');
          return notified >= 1_000 ? true : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 25, progress: () => `${notified} so far\n${first.output()}` },
      );
      first.child.kill('SIGKILL');
      await first.exited;
      assert.equal(first.child.signalCode, 'SIGKILL', 'the first worker died by SIGKILL, not on its own');
      const atKill = {
        notifications: await scratch.count('notifications'),
        audit: await scratch.count('audit_log'),
      };
      assert.ok(
        atKill.notifications < EVENTS,
        `the worker must die mid-way; it had already written all ${atKill.notifications} notifications`,
      );
      const offsets = {
        notifications: await committedOffsets(brokers, `${prefix}surge-notifications`, prefix + USERS_TOPIC),
        audit: await committedOffsets(brokers, `${prefix}surge-audit`, prefix + USERS_TOPIC),
      };
      t.diagnostic(
        `${at()}: first worker killed at ${atKill.notifications} notifications / ${atKill.audit} audit rows; ` +
          `committed offsets then: ${offsets.notifications} / ${offsets.audit} (what was handled beyond them is redelivered)`,
      );

      // Second worker: resumes from the committed offsets and redelivers the uncommitted tail.
      const second = await worker();
      let counts = atKill;
      let resumedAt: string | undefined;
      await eventually(
        'the second worker to catch up',
        async () => {
          if (second.child.exitCode !== null) throw new Error(`worker exited early:\n${second.output()}`);
          counts = {
            notifications: await scratch.count('notifications'),
            audit: await scratch.count('audit_log'),
          };
          if (resumedAt === undefined && counts.notifications > atKill.notifications) resumedAt = at();
          return counts.notifications >= EVENTS && counts.audit >= EVENTS ? true : undefined;
        },
        {
          timeoutMs: 120_000,
          intervalMs: 250,
          progress: () => `${JSON.stringify(counts)}\n${second.output()}`,
        },
      );

      t.diagnostic(`${resumedAt}: second worker writing; ${at()}: caught up: ${JSON.stringify(counts)}`);
      // Whatever is still being redelivered lands now, and must change nothing.
      await pause(3_000);
      assert.equal(await scratch.count('notifications'), EVENTS, 'notifications');
      assert.equal(await scratch.count('audit_log'), EVENTS, 'audit rows');
      assert.equal(await scratch.count('dead_letters'), 0, 'no valid event was dead-lettered');
      const ids = new Set(published.map((m) => m.id));
      const notificationIds = (await scratch.db.selectFrom('notifications').select('id').execute()).map(
        (r) => r.id,
      );
      const auditIds = (await scratch.db.selectFrom('audit_log').select('event_id').execute()).map(
        (r) => r.event_id,
      );
      for (const [what, rows] of [
        ['notification', notificationIds],
        ['audit', auditIds],
      ] as const) {
        const unexpected = rows.filter((id) => !ids.has(id));
        assert.deepEqual(unexpected.slice(0, 5), [], `${what} rows whose id is no published event id`);
        assert.equal(new Set(rows).size, EVENTS, `${what} rows cover every published event once`);
      }
    },
  );
});
