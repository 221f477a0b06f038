import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { FatalError } from '@surge/resilience';
import { recordingLog } from '@surge/test-support';
import type { Delivery } from '../message.ts';
import { sha256Hex } from '../raw-record.ts';
import { deadLetterReporting } from './dead-letter-reporting.ts';
import { deadLetter } from './dead-letter.ts';
import { createMessagingMetrics } from './metrics.ts';
import { compose } from './middleware.ts';
import { fakeRecordPublisher } from './testing/fake-record-publisher.ts';

const secret = '{"email":"someone@example.com"}';
const delivery: Delivery = {
  id: 'id-1',
  type: 't',
  source: '/s',
  time: '2026-12-01T10:00:00.000Z',
  key: 'k',
  data: secret,
  headers: {},
  topic: 'users',
  partition: 0,
  offset: '9',
  timestamp: 1,
  deliveryAttempt: 1,
  malformed: 'not a CloudEvent',
  raw: { key: 'k', value: secret, headerEntries: [] },
};

describe('dead-letter reporting', () => {
  it('a dead letter only the log holds: an error line with origin, size and hash, never the data; the counter moves', async () => {
    const { log, lines } = recordingLog();
    const registry = new Registry();
    const metrics = createMessagingMetrics(registry);
    const { publisher } = fakeRecordPublisher({ fail: () => new Error('TOPIC_AUTHORIZATION_FAILED') });
    const h = compose(
      () => Promise.reject(new FatalError('poison')),
      deadLetter({
        publisher,
        group: 'g',
        backoff: { baseMs: 1, maxMs: 1 },
        ...deadLetterReporting({ handler: 'h', log, metrics }),
      }),
    );
    await h(delivery, new AbortController().signal);
    const last = lines.find((l) => l.level === 'error');
    assert.equal(
      last?.msg,
      'dead letter could not be published nor stored; this log line is its only record',
    );
    assert.deepEqual(
      [
        last.fields.topic,
        last.fields.partition,
        last.fields.offset,
        last.fields.valueBytes,
        last.fields.valueSha256,
      ],
      ['users', 0, '9', String(secret.length), sha256Hex(secret)],
    );
    assert.ok(!JSON.stringify(lines).includes('someone@example.com'), 'no event data in any log line');
    assert.equal(lines.filter((l) => l.level === 'warn').length, 3, 'each refused attempt');
    assert.match(
      await registry.metrics(),
      /surge_dead_letter_failures_total\{handler="h",topic="users",outcome="logged"\} 1/,
    );
  });
});
