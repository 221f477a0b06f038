import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createGroupConsumer } from './kafka-consumer.ts';
import { kafkaSubscriberSettings } from './kafka-subscriber-options.ts';

describe('createGroupConsumer (no broker: the client connects only when used)', () => {
  it(
    "regression (issue 8, finding 1's kind): the client's 'error' event (a failed group rejoin) " +
      'is reported, never thrown as an uncaught exception',
    async () => {
      const reported: Array<{ err: unknown; context: string }> = [];
      const settings = kafkaSubscriberSettings({ brokers: ['127.0.0.1:1'], clientId: 'consumer-error-test' });
      const consumer = createGroupConsumer(settings, 'group-under-test', (err, context) =>
        reported.push({ err, context }),
      );
      try {
        const rejoinFailed = new Error('JoinGroup failed');
        assert.doesNotThrow(() => consumer.emit('error', rejoinFailed));
        assert.equal(reported.length, 1);
        assert.equal(reported[0]?.err, rejoinFailed);
        assert.match(reported[0]?.context ?? '', /group-under-test/);
      } finally {
        await consumer.close();
      }
    },
  );
});
