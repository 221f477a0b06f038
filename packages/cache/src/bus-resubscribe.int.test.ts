import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { eventually, pause, throwawayRedis } from '@surge/test-support';
import { createBusTransport } from './bus-transport.ts';
import { openCacheConnections } from './connections.ts';

// Regression (seen in CI, catalog-cache.int.test.ts): ioredis' own resubscription after a
// reconnect sends SUBSCRIBE with no rejection handler. A cache closed while that command was in
// flight — shutting down just after Redis came back — raised an unhandled "Connection is closed."
describe('the cache bus after a Redis restart (real redis-server of its own)', () => {
  let redis: Awaited<ReturnType<typeof throwawayRedis>>;
  before(async () => {
    redis = await throwawayRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it('resubscribes once, and closing during that SUBSCRIBE rejects nothing unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const source = new Redis(redis.url, { lazyConnect: true });
    const errors: unknown[] = [];
    const { commands, subscriber } = openCacheConnections(source, {
      commandTimeoutMs: 500,
      onError: (err) => errors.push(err),
    });
    let resubscribed = 0;
    const bus = createBusTransport(commands, subscriber, {
      onError: (err) => errors.push(err),
      onResubscribed: () => resubscribed++,
    });
    try {
      await bus.subscribe('surge-test-bus', () => {});
      await bus.subscribed();
      // Listening before the restart: the client may reconnect before restart() returns.
      const connected = once(subscriber, 'connect', { signal: AbortSignal.timeout(15_000) });
      await redis.restart();
      // Closed while reconnecting: connected, its ready check in flight, which is when ioredis
      // would send its own SUBSCRIBE on a connection that is closing.
      await connected;
      subscriber.disconnect();
      commands.disconnect();
      await pause(300); // time for a rejection of the cut command to surface
      assert.deepEqual(unhandled, [], 'no unhandled rejection');
      // Cut or answered first: either way at most once, and a cut one is reported, not thrown.
      assert.ok(resubscribed <= 1, `resubscribed ${resubscribed} times`);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      subscriber.disconnect();
      commands.disconnect();
      source.disconnect();
    }
  });

  it('after a restart, messages published by another client reach the handler again', async () => {
    const source = new Redis(redis.url, { lazyConnect: true });
    const { commands, subscriber } = openCacheConnections(source, {
      commandTimeoutMs: 500,
      onError: () => {},
    });
    let resubscribed = 0;
    const seen: unknown[] = [];
    const bus = createBusTransport(commands, subscriber, {
      onError: () => {},
      onResubscribed: () => resubscribed++,
    });
    const other = new Redis(redis.url, { maxRetriesPerRequest: null });
    other.on('error', () => {}); // refused while the server restarts
    try {
      await bus.subscribe('surge-test-bus', (payload) => void seen.push(payload));
      await bus.subscribed();
      const ready = once(subscriber, 'ready', { signal: AbortSignal.timeout(15_000) });
      await redis.restart();
      await ready;
      await eventually(
        'the bus transport to resubscribe',
        () => Promise.resolve(resubscribed > 0 || undefined),
        {
          timeoutMs: 5_000,
          intervalMs: 20,
        },
      );
      assert.equal(resubscribed, 1, 'resubscribed once, by the bus transport');
      await other.publish('surge-test-bus', JSON.stringify({ busId: 'other', payload: { keys: ['k'] } }));
      await eventually(
        'the message to reach the handler',
        () => Promise.resolve(seen.length > 0 || undefined),
        {
          timeoutMs: 5_000,
          intervalMs: 20,
        },
      );
      assert.deepEqual(seen, [{ keys: ['k'] }]);
    } finally {
      other.disconnect();
      subscriber.disconnect();
      commands.disconnect();
      source.disconnect();
    }
  });
});
