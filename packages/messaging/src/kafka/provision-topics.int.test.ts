import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { provisionTopics } from './provision-topics.ts';

describe('provisionTopics (real Kafka)', () => {
  // Regression: with two workers starting at once, every instance but one got "Creating topics
  // failed" (TOPIC_ALREADY_EXISTS nested in AggregateErrors) and retried its start with backoff.
  it('instances provisioning the same new topics at once all succeed; each topic is created once', async () => {
    const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
    const prefix = `test-provision-${randomUUID().slice(0, 8)}-`;
    const topics = [
      { name: `${prefix}a`, partitions: 3 },
      { name: `${prefix}b`, partitions: 2, withDeadLetter: false },
    ];
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, (_, i) => provisionTopics({ brokers, clientId: `provision-${i}` }, topics)),
      );
      const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      assert.deepEqual(failures, [], 'no instance failed');
      const created = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])).sort();
      assert.deepEqual(created, [`${prefix}a`, `${prefix}a.dlt`, `${prefix}b`], 'each topic created once');
    } finally {
      const admin = new Admin({ clientId: 'provision-test-cleanup', bootstrapBrokers: brokers });
      await admin
        .deleteTopics({ topics: [`${prefix}a`, `${prefix}a.dlt`, `${prefix}b`] })
        .catch(() => undefined)
        .finally(() => admin.close());
    }
  });
});
