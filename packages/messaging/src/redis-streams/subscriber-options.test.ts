import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { subscriberSettings } from './subscriber-options.ts';

describe('subscriberSettings', () => {
  it('applies the documented defaults and generates a unique consumer name it owns', () => {
    const a = subscriberSettings({ url: 'redis://127.0.0.1:6379' });
    const b = subscriberSettings({ url: 'redis://127.0.0.1:6379' });
    assert.deepEqual(
      [
        a.blockMs,
        a.claimIdleMs,
        a.batchSize,
        a.commandTimeoutMs,
        a.redeliveryBaseMs,
        a.redeliveryMaxMs,
        a.closeTimeoutMs,
      ],
      [2000, 30_000, 50, 5000, 100, 5000, 10_000],
    );
    assert.notEqual(a.consumerName, b.consumerName);
    assert.equal(a.ownsConsumerName, true);
    assert.equal(subscriberSettings({ url: 'redis://h', consumerName: 'worker-1' }).ownsConsumerName, false);
  });

  it('rejects invalid options by name', () => {
    assert.throws(() => subscriberSettings({ url: 'http://x' }), /url must be a redis:\/\/ URL/);
    assert.throws(() => subscriberSettings({ url: 'redis://h', blockMs: 0 }), /blockMs must be an integer/);
    assert.throws(() => subscriberSettings({ url: 'redis://h', batchSize: 1.5 }), /batchSize/);
    assert.throws(
      () => subscriberSettings({ url: 'redis://h', redeliveryBaseMs: 500, redeliveryMaxMs: 100 }),
      /redeliveryMaxMs must be ≥ redeliveryBaseMs/,
    );
  });
});
