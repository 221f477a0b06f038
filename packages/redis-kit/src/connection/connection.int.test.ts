import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { isTimeoutError } from '@surge/resilience';
import { freePort, testRedisUrl } from '@surge/test-support';
import { failFastRedisOptions } from './fail-fast-options.ts';
import { whenReady } from './when-ready.ts';

describe('whenReady and failFastRedisOptions (real Redis)', () => {
  const clients: Redis[] = [];
  const open = (url: string, name: string) => {
    const redis = new Redis(url, failFastRedisOptions({ commandTimeoutMs: 500, connectionName: name }));
    redis.on('error', () => {});
    clients.push(redis);
    return redis;
  };
  after(() => clients.forEach((c) => c.disconnect()));

  it('resolves once the client is ready, and at once when it already is', async () => {
    const redis = open(testRedisUrl(), 'surge-test-ready');
    await whenReady(redis, 5_000);
    assert.equal(redis.status, 'ready');
    await whenReady(redis, 1);
    assert.equal(await redis.client('GETNAME'), 'surge-test-ready');
  });

  it('rejects with a TimeoutError while Redis cannot be reached; commands fail fast meanwhile', async () => {
    const redis = open(`redis://127.0.0.1:${await freePort()}`, 'surge-test-down');
    await assert.rejects(whenReady(redis, 200), (e: unknown) => {
      assert.ok(isTimeoutError(e));
      assert.match(e.message, /surge-test-down.* timed out after 200 ms/);
      return true;
    });
    // No offline queue: a command is refused, not parked until Redis returns.
    await assert.rejects(redis.get('x'), /enableOfflineQueue options is false/);
    // Only ours counts: ioredis itself listens for 'ready' while a reconnection attempt is under
    // way (a CI run caught one at this moment).
    assert.deepEqual(
      redis.listeners('ready').filter((l) => l.name === 'whenReadyListener'),
      [],
      'the timed-out wait left no listener behind',
    );
  });

  it("rejects with the caller's abort reason", async () => {
    const redis = open(`redis://127.0.0.1:${await freePort()}`, 'surge-test-abort');
    const ac = new AbortController();
    const waiting = whenReady(redis, 60_000, { signal: ac.signal });
    ac.abort(new Error('stop waiting'));
    await assert.rejects(waiting, /stop waiting/);
  });
});
