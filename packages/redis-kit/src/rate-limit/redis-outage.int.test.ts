import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort, recordingLog, throwawayRedis, type ThrowawayRedis } from '@surge/test-support';
import { failFastRedisOptions } from '../connection/fail-fast-options.ts';
import { whenReady } from '../connection/when-ready.ts';
import { rateLimitPolicy } from './policy.ts';
import { createRateLimiter } from './rate-limiter.ts';

/** Polls `probe` every 50 ms until it returns true; throws after `ms`. */
async function until(what: string, probe: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('rate limiter while Redis is down (throwaway Redis, killed)', () => {
  let server: ThrowawayRedis;
  let redis: Redis;
  before(async () => {
    server = await throwawayRedis({ appendOnly: true });
    redis = new Redis(server.url, failFastRedisOptions({ commandTimeoutMs: 2_000 }));
    await whenReady(redis, 10_000);
  });
  after(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('falls back to this instance’s share in memory: limits still apply, nobody is refused wholesale, healed when Redis is back', async () => {
    const { log, lines } = recordingLog();
    const limiter = createRateLimiter({
      redis,
      prefix: 'outage:',
      fallback: { share: 0.5 },
      breaker: { failures: 2, halfOpenAfterMs: 200 },
      log,
    });
    const policy = rateLimitPolicy('login-ip', 10, 3_600_000);
    const attacker = { policy, key: '203.0.113.66' };
    const d = await limiter.limit([attacker]);
    assert.equal(d.source, 'redis');

    await server.kill();
    const during = [];
    for (let i = 0; i < 12; i++) during.push(await limiter.limit([attacker]));
    assert.ok(
      during.every((x) => x.source === 'memory'),
      'every decision during the outage is the fallback’s',
    );
    assert.equal(
      during.filter((x) => x.allowed).length,
      5,
      'half of the quota of 10: the floodgates stay shut',
    );
    const denied = during.at(-1)!;
    assert.equal(denied.allowed, false);
    assert.ok(denied.retryAfterMs > 0);
    assert.equal(denied.results[0]!.limit, 5);
    const someoneElse = await limiter.limit([{ policy, key: '198.51.100.7' }]);
    assert.equal(someoneElse.allowed, true, 'another client is not refused');
    assert.equal(someoneElse.source, 'memory');
    assert.equal(
      lines.filter((l) => l.msg.includes('Redis unavailable')).length,
      1,
      'one warning per 10 s, not one per request',
    );

    await server.start();
    await until(
      'decisions from Redis again',
      async () => (await limiter.limit([{ policy, key: 'probe' }])).source === 'redis',
    );
    const back = await limiter.limit([attacker]);
    assert.equal(back.source, 'redis');
    assert.equal(
      back.results[0]!.remaining,
      8,
      'the Redis state from before the outage (a restarted empty Redis would say 9)',
    );
  });
});

describe('rate limiter on an unresponsive Redis (a server that accepts and never answers)', () => {
  const sockets = new Set<Socket>();
  let received = '';
  const blackHole = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (d: Buffer) => (received += d.toString('latin1').toLowerCase()));
  });
  let redis: Redis;
  before(async () => {
    const port = await freePort();
    blackHole.listen(port, '127.0.0.1');
    await once(blackHole, 'listening');
    // No ready check: the client counts as connected once its CLIENT SETINFO calls time out
    // (1 s), so commands are sent and hang.
    redis = new Redis(port, '127.0.0.1', {
      ...failFastRedisOptions({ commandTimeoutMs: 1_000 }),
      enableReadyCheck: false,
    });
    await whenReady(redis, 10_000);
  });
  after(async () => {
    redis.disconnect();
    for (const s of sockets) s.destroy();
    blackHole.close();
    await once(blackHole, 'close');
  });

  it('each call waits at most timeoutMs, and once the breaker opens calls no longer reach Redis', async () => {
    const limiter = createRateLimiter({
      redis,
      prefix: 'hole:',
      timeoutMs: 100,
      breaker: { failures: 3, halfOpenAfterMs: 600_000 },
    });
    const policy = rateLimitPolicy('user', 2, 3_600_000);
    const decisions = [];
    for (let i = 0; i < 8; i++) decisions.push(await limiter.limit([{ policy, key: 'u1' }]));
    assert.ok(decisions.every((d) => d.source === 'memory'));
    assert.deepEqual(
      decisions.map((d) => d.allowed),
      [true, true, false, false, false, false, false, false],
      'the fallback still limits',
    );
    // ioredis sends EVAL on a connection's first call of a script, EVALSHA afterwards.
    const sent = received.match(/\r\n(eval|evalsha)\r\n/g)?.length ?? 0;
    assert.equal(sent, 3, `the script was sent ${sent} times: only until the breaker opened`);
  });
});
