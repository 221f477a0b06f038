import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isCacheLoadTimeoutError } from './errors.ts';
import { recordCacheEvents } from './testing/cache-events.ts';
import { loaderProbe } from './testing/loader-probe.ts';
import { testCaches } from './testing/test-redis.ts';

describe('grace: stale-if-error with backoff', () => {
  const t = testCaches('grace');
  after(() => t.cleanup());
  const entry = {
    ttlMs: 100,
    graceMs: 60_000,
    graceBackoffMs: 400,
    softTimeoutMs: 2_000,
    loadTimeoutMs: 150,
  };

  it('serves the stale value when the loader throws, and does not call it again within the backoff', async () => {
    const products = (await t.open({ defaults: entry })).namespace('product');
    const probe = loaderProbe(() => 'v1');
    assert.equal(await products.getOrLoad('1', probe.for('1')), 'v1');
    await sleep(150); // expired, within grace
    probe.fail = new Error('mysql down');
    const events = recordCacheEvents(t.prefix);
    assert.equal(await products.getOrLoad('1', probe.for('1')), 'v1');
    assert.equal(probe.calls, 2);
    for (let i = 0; i < 50; i++) assert.equal(await products.getOrLoad('1', probe.for('1')), 'v1');
    assert.equal(probe.calls, 2, 'no loader call within the backoff');
    await sleep(450);
    assert.equal(await products.getOrLoad('1', probe.for('1')), 'v1');
    assert.equal(probe.calls, 3, 'tried again after the backoff');
    probe.fail = undefined;
    await sleep(450);
    assert.equal(await products.getOrLoad('1', probe.for('1')), 'v1', 'the loader value is the same');
    assert.equal(probe.calls, 4, 'recovered');
    events.stop();
    assert.equal(
      events.count('stale', (e) => e.type === 'stale' && e.reason === 'load-error'),
      2,
    );
    assert.equal(
      events.count('stale', (e) => e.type === 'stale' && e.reason === 'backoff'),
      50,
    );
    assert.equal(events.count('load-error'), 2);
  });

  it('serves the stale value when the loader times out, and aborts its signal', async () => {
    const products = (await t.open({ defaults: entry })).namespace('product');
    const probe = loaderProbe(() => 'v1');
    await products.getOrLoad('2', probe.for('2'));
    await sleep(150);
    probe.hang = true;
    assert.equal(await products.getOrLoad('2', probe.for('2')), 'v1');
    assert.equal(probe.aborted, 1, 'the hung load was aborted at loadTimeoutMs');
  });

  it('serves stale after softTimeoutMs while a slow load finishes in the background', async () => {
    const products = (
      await t.open({ defaults: { ...entry, softTimeoutMs: 50, loadTimeoutMs: 2_000 } })
    ).namespace('product');
    const probe = loaderProbe(() => 'v1');
    await products.getOrLoad('3', probe.for('3'));
    await sleep(150);
    const slow = loaderProbe(() => 'v2');
    slow.delayMs = 600;
    const long = { ttlMs: 60_000 };
    assert.equal(await products.getOrLoad('3', slow.for('3'), long), 'v1');
    assert.equal(slow.finished, 0, 'answered stale before the 600 ms load finished');
    await sleep(700);
    assert.equal(await products.getOrLoad('3', slow.for('3'), long), 'v2', 'the background load was stored');
    assert.equal(slow.calls, 1);
  });

  it('without a stale value: the error reaches the caller, shared by callers that were waiting for it', async () => {
    const products = (await t.open({ defaults: entry })).namespace('product');
    const probe = loaderProbe(() => 'never');
    probe.delayMs = 50;
    const boom = new Error('mysql down');
    probe.fail = boom;
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => products.getOrLoad('4', probe.for('4'))),
    );
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason === boom));
    assert.equal(probe.calls, 1, 'waiters got the failure instead of each calling the loader');
    probe.fail = undefined;
    assert.equal(await products.getOrLoad('4', probe.for('4')), 'never', 'a later call tries again');
  });

  it('without a stale value: a hanging loader fails with CacheLoadTimeoutError after loadTimeoutMs', async () => {
    const products = (await t.open({ defaults: entry })).namespace('product');
    const probe = loaderProbe(() => 'x');
    probe.hang = true;
    const err: unknown = await products.getOrLoad('5', probe.for('5')).catch((e: unknown) => e);
    assert.ok(isCacheLoadTimeoutError(err), String(err));
    assert.equal(probe.aborted, 1);
  });
});
