import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { startBloomRebuilder } from './bloom-rebuilder.ts';
import { createBloomFilter } from './redis-bloom-filter.ts';
import { dropFilterKeys, filterKeys, ids, testRedis, uniqueFilterName } from './testing/bloom-test-redis.ts';
import { recordingLog, testRedisUrl } from '@surge/test-support';
import { startFaultProxy } from '@surge/resilience';
import { Redis as RedisClient } from 'ioredis';

describe('startBloomRebuilder', () => {
  let redis: Redis;
  let other: Redis;
  const names: string[] = [];
  const filterOn = (client: Redis, key: string) =>
    createBloomFilter({ redis: client, key, expectedItems: 1000, falsePositiveRate: 0.01 });

  before(() => void ((redis = testRedis()), (other = testRedis())));
  after(async () => {
    for (const name of names) await dropFilterKeys(redis, name);
    await Promise.all([redis.quit(), other.quit()]);
  });

  it('rebuilds at start and then about once per interval across two instances, never two at once', async () => {
    const key = uniqueFilterName();
    names.push(key);
    let passes = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    async function* source() {
      passes += 1;
      maxConcurrent = Math.max(maxConcurrent, ++concurrent);
      try {
        for (const id of ids('item', 200)) yield id;
        await delay(30);
      } finally {
        concurrent -= 1;
      }
    }
    const { log, lines: errors } = recordingLog();
    const intervalMs = 300;
    const started = performance.now();
    const rebuilders = [redis, other].map((client) =>
      startBloomRebuilder({ filter: filterOn(client, key), redis: client, source, intervalMs, log }),
    );
    await delay(1_000);
    await Promise.all(rebuilders.map((r) => r.stop()));
    const elapsedMs = performance.now() - started;
    const after = passes;
    await delay(400);

    assert.equal(maxConcurrent, 1);
    assert.ok(passes >= 2 && passes <= Math.ceil(elapsedMs / (intervalMs * 0.9)) + 1, `${passes} passes`);
    assert.equal(passes, after, 'no rebuild after stop()');
    assert.deepEqual(errors, []);
    const filter = filterOn(redis, key);
    assert.equal(await redis.exists(filter.keys.live), 1);
    for (const id of ids('item', 200)) assert.equal(await filter.mightContain(id), true);
  });

  it('a start before Redis answers retries within seconds, not after a whole interval', async () => {
    const key = uniqueFilterName();
    names.push(key);
    const direct = new URL(testRedisUrl());
    const proxy = await startFaultProxy({
      target: { host: direct.hostname, port: Number(direct.port || 6379) },
    });
    await proxy.set({ kind: 'refuse' });
    const viaProxy = new RedisClient(proxy.port, '127.0.0.1', {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 100,
    });
    viaProxy.on('error', () => {});
    const { log, lines } = recordingLog();
    const rebuilder = startBloomRebuilder({
      filter: filterOn(redis, key),
      redis: viaProxy,
      source: () => ids('item', 50),
      intervalMs: 600_000,
      log,
    });
    try {
      await delay(300);
      await proxy.heal();
      const filter = filterOn(redis, key);
      const started = performance.now();
      while ((await redis.exists(filter.keys.live)) === 0) {
        assert.ok(
          performance.now() - started < 20_000,
          'rebuilt within 20 s of Redis answering (interval 10 min)',
        );
        await delay(100);
      }
      assert.ok(
        lines.some((l) => l.msg.includes('retrying soon')),
        'the failed first round was logged',
      );
    } finally {
      await rebuilder.stop();
      viaProxy.disconnect();
      await proxy.close();
    }
  });

  it('stop() aborts a running rebuild and leaves no rebuild keys', async () => {
    const key = uniqueFilterName();
    names.push(key);
    let entered!: () => void;
    const inSource = new Promise<void>((resolve) => (entered = resolve));
    async function* source() {
      for (let i = 0; ; i++) {
        if (i === 1500) entered();
        if (i % 100 === 0) await delay(5);
        yield `item-${i}`;
      }
    }
    const filter = filterOn(redis, key);
    const rebuilder = startBloomRebuilder({ filter, redis, source, intervalMs: 60_000 });
    await inSource;
    await rebuilder.stop();
    assert.deepEqual(await filterKeys(redis, key), [`${filter.keys.live}:rebuild-lock`]);
    assert.equal(await filter.mightContain('item-1'), true, 'never built: fails open');
  });

  it('logs a failing source and tries again once the claim expires', async () => {
    const key = uniqueFilterName();
    names.push(key);
    let passes = 0;
    // eslint-disable-next-line require-yield
    async function* source(): AsyncGenerator<string> {
      passes += 1;
      await Promise.resolve();
      throw new Error('database down');
    }
    const { log, lines: logged } = recordingLog();
    const filter = filterOn(redis, key);
    const rebuilder = startBloomRebuilder({ filter, redis, source, intervalMs: 100, log });
    await delay(450);
    await rebuilder.stop();
    assert.ok(passes >= 2, `${passes} passes`);
    assert.equal(logged[0]?.level, 'error');
    assert.match(String((logged[0]?.fields.err as Error).message), /database down/);
    assert.equal(await redis.exists(filter.keys.live), 0);
  });
});
