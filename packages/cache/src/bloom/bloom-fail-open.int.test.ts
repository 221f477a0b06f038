import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { freePort, recordingLog } from '@surge/test-support';
import { createBloomFilter } from './redis-bloom-filter.ts';
import {
  blackHole,
  dropFilterKeys,
  filterKeys,
  testRedis,
  uniqueFilterName,
} from './testing/bloom-test-redis.ts';

/** A client that fails fast instead of queueing while it has no connection. */
const failFastClient = (
  port: number,
  extra: { enableReadyCheck?: boolean; disableClientInfo?: boolean } = {},
) => {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 200,
    retryStrategy: () => null,
    ...extra,
  });
  client.on('error', () => {});
  return client;
};

describe('BloomFilter fails open', () => {
  let redis: Redis;
  const name = uniqueFilterName();
  before(() => void (redis = testRedis()));
  after(async () => {
    await dropFilterKeys(redis, name);
    await redis.quit();
  });

  it('answers true before the first build, and an add does not create a partial filter', async () => {
    const { log, lines: logged } = recordingLog();
    // A generous check budget: this is about an absent filter, not about time (a loaded CI
    // machine took more than the default 250 ms for the first check on a new connection).
    const f = createBloomFilter({
      redis,
      key: name,
      expectedItems: 1000,
      falsePositiveRate: 0.01,
      log,
      checkTimeoutMs: 5_000,
    });
    assert.equal(await f.mightContain('never-added'), true);
    await f.add(['a', 'b']);
    assert.deepEqual(await filterKeys(redis, name), []);
    assert.equal(await f.mightContain('never-added'), true);
    await f.rebuild(['a']);
    assert.equal(await f.mightContain('a'), true);
    assert.deepEqual(logged, []);
  });

  it('answers true and logs when Redis is unreachable; add and rebuild reject', async () => {
    const client = failFastClient(await freePort());
    const { log, lines: logged } = recordingLog();
    const f = createBloomFilter({
      redis: client,
      key: uniqueFilterName(),
      expectedItems: 1000,
      falsePositiveRate: 0.01,
      log,
    });
    const started = performance.now();
    assert.equal(await f.mightContain('x'), true);
    assert.equal(await f.mightContain('y'), true);
    assert.ok(performance.now() - started < 1000);
    assert.equal(logged.length, 1, 'one report per 10 s, not one per call');
    const { level, fields } = logged[0]!;
    assert.equal(level, 'warn');
    assert.ok(fields.err instanceof Error);
    assert.equal(fields.suppressed, 0);
    await assert.rejects(f.add('x'));
    await assert.rejects(f.rebuild(['x']));
    client.disconnect();
  });

  it('answers true after checkTimeoutMs when Redis hangs', async () => {
    const hole = await blackHole();
    // No ready check and no CLIENT SETINFO: both would wait forever for the black hole to answer.
    const client = failFastClient(hole.port, { enableReadyCheck: false, disableClientInfo: true });
    await new Promise((resolve) => client.once('ready', resolve));
    const { log, lines: logged } = recordingLog();
    const f = createBloomFilter({
      redis: client,
      key: uniqueFilterName(),
      expectedItems: 1000,
      falsePositiveRate: 0.01,
      checkTimeoutMs: 100,
      log,
    });
    const started = performance.now();
    assert.equal(await f.mightContain('x'), true);
    const elapsedMs = performance.now() - started;
    assert.ok(elapsedMs >= 95 && elapsedMs < 1000, `${elapsedMs} ms`);
    assert.match(String((logged[0]?.fields.err as Error).message), /timed out after 100 ms/);
    client.disconnect();
    await hole.close();
  });
});
