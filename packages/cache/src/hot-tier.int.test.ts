import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { testCaches } from './testing/test-redis.ts';

const hot = { hot: { ttlMs: 60_000, maxItems: 100 } };

async function until(ms: number, ok: () => boolean, what: string): Promise<number> {
  const started = Date.now();
  while (!ok()) {
    if (Date.now() - started > ms) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
  return Date.now() - started;
}

describe('hot tier in front of L1', () => {
  const t = testCaches('hot-tier');
  after(() => t.cleanup());

  it('serves the same frozen object without L1, and forgets it when another instance invalidates', async (ctx) => {
    const [a, b] = [
      (await t.open()).namespace('product', {}, hot),
      (await t.open()).namespace('product', {}, hot),
    ];
    let version = 1;
    const load = () => Promise.resolve({ version });
    assert.equal(b.peek('1'), undefined, 'nothing read yet');
    const first = await b.getOrLoad('1', load);
    assert.deepEqual(b.peek('1'), { version: 1 });
    assert.equal(await b.getOrLoad('1', load), first, 'the same object');
    assert.ok(Object.isFrozen(first));
    version = 2;
    await a.invalidate('1');
    const tookMs = await until(2_000, () => b.peek('1') === undefined, 'b dropped its hot copy');
    assert.deepEqual(await b.getOrLoad('1', load), { version: 2 });
    ctx.diagnostic(`b's hot copy dropped ${tookMs} ms after a's invalidation`);
  });

  it('forgets a key this instance invalidates, and the next read loads again', async () => {
    const a = (await t.open()).namespace('local', {}, hot);
    let version = 1;
    const load = () => Promise.resolve({ version });
    await a.getOrLoad('k', load);
    version = 2;
    await a.invalidate('k');
    assert.equal(a.peek('k'), undefined);
    assert.deepEqual(await a.getOrLoad('k', load), { version: 2 });
  });

  it('keeps neither a stale value served within grace nor a "not found"', async () => {
    const a = (await t.open()).namespace('graced', { ttlMs: 50, graceMs: 60_000, graceBackoffMs: 1 }, hot);
    await a.getOrLoad('g', () => Promise.resolve({ v: 'old' }));
    // The hot copy outlives the 50 ms TTL (its own is 60 s) — so take it away to reach L1.
    await sleep(80);
    await a.invalidate('g');
    const served = await a.getOrLoad('g', () => Promise.reject(new Error('mysql down')));
    assert.deepEqual(served, { v: 'old' }, 'stale within grace');
    assert.equal(a.peek('g'), undefined, 'a stale value is not hot');
    assert.equal(await a.getOrLoad('none', () => Promise.resolve(undefined)), undefined);
    assert.equal(a.peek('none'), undefined);
  });

  it('a namespace without a hot tier never peeks', async () => {
    const a = (await t.open()).namespace('plain');
    await a.getOrLoad('k', () => Promise.resolve({ v: 1 }));
    assert.equal(a.peek('k'), undefined);
  });
});
