import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failFastRedisOptions } from './fail-fast-options.ts';

describe('failFastRedisOptions', () => {
  it('never queues, retries a command once, bounds commands and connecting', () => {
    const o = failFastRedisOptions({ commandTimeoutMs: 300, connectionName: 'x' });
    assert.equal(o.enableOfflineQueue, false);
    assert.equal(o.maxRetriesPerRequest, 1);
    assert.equal(o.commandTimeout, 300);
    assert.equal(o.connectTimeout, 300);
    assert.equal(o.connectionName, 'x');
    assert.equal(failFastRedisOptions({ commandTimeoutMs: 300, connectTimeoutMs: 900 }).connectTimeout, 900);
    assert.equal('connectionName' in failFastRedisOptions({ commandTimeoutMs: 1 }), false);
  });

  it('reconnects forever with backoff capped at 2 s', () => {
    const retry = failFastRedisOptions({ commandTimeoutMs: 300 }).retryStrategy!;
    for (const attempt of [1, 2, 5, 10, 100, 10_000]) {
      const delay = retry(attempt);
      assert.ok(typeof delay === 'number' && delay >= 0 && delay <= 2_000, `${attempt}: ${String(delay)}`);
    }
    assert.equal(retry(1_000), 2_000);
  });
});
