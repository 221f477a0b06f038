import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kafkaSubscriberSettings } from './kafka-subscriber-options.ts';

describe('kafkaSubscriberSettings', () => {
  it('applies the documented defaults and freezes the result', () => {
    const s = kafkaSubscriberSettings({ brokers: ['127.0.0.1:9092'], clientId: 'c' });
    assert.deepEqual(
      [
        s.maxBuffered,
        s.maxFetchBytes,
        s.redeliveryBaseMs,
        s.redeliveryMaxMs,
        s.closeTimeoutMs,
        s.sessionTimeoutMs,
        s.lagIntervalMs,
      ],
      [1000, 1024 * 1024, 100, 5000, 10_000, 10_000, 10_000],
    );
    assert.equal(s.metrics, undefined);
    assert.ok(Object.isFrozen(s));
  });

  it('rejects invalid options by name', () => {
    const base = { brokers: ['h:9092'], clientId: 'c' };
    assert.throws(() => kafkaSubscriberSettings({ ...base, brokers: [] }), /brokers/);
    assert.throws(() => kafkaSubscriberSettings({ ...base, clientId: '' }), /clientId/);
    assert.throws(
      () => kafkaSubscriberSettings({ ...base, maxBuffered: 0 }),
      /maxBuffered must be an integer/,
    );
    assert.throws(() => kafkaSubscriberSettings({ ...base, closeTimeoutMs: 1.5 }), /closeTimeoutMs/);
    assert.throws(() => kafkaSubscriberSettings({ ...base, maxFetchBytes: 0 }), /maxFetchBytes/);
    assert.throws(
      () => kafkaSubscriberSettings({ ...base, redeliveryBaseMs: 500, redeliveryMaxMs: 100 }),
      /redeliveryMaxMs must be ≥ redeliveryBaseMs/,
    );
  });
});
