import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createCache } from './create-cache.ts';
import { isCacheRedisError } from './errors.ts';
import { testCaches } from './testing/test-redis.ts';

async function within<T>(ms: number, read: () => Promise<T>, want: T): Promise<number> {
  const started = Date.now();
  for (;;) {
    if ((await read()) === want) return Date.now() - started;
    if (Date.now() - started > ms) assert.fail(`not ${String(want)} within ${ms} ms`);
    await sleep(10);
  }
}

describe('invalidation across instances (bentocache bus)', () => {
  const t = testCaches('invalidation');
  after(() => t.cleanup());

  it('invalidate on one instance makes the other load the new value on its next read', async (ctx) => {
    const [a, b] = [(await t.open()).namespace('product'), (await t.open()).namespace('product')];
    let version = 1;
    const load = () => Promise.resolve(`v${version}`);
    assert.equal(await a.getOrLoad('1', load), 'v1');
    assert.equal(await b.getOrLoad('1', load), 'v1'); // from L2, now in b's L1
    version = 2;
    assert.equal(await b.getOrLoad('1', load), 'v1', 'b answers from its L1 until told');
    await a.invalidate('1');
    assert.equal(await a.getOrLoad('1', load), 'v2');
    const tookMs = await within(1_000, () => b.getOrLoad('1', load), 'v2');
    ctx.diagnostic(`b saw the new value ${tookMs} ms after the invalidation`);
  });

  it('drops a cached "not found" everywhere (the id was created)', async () => {
    const [a, b] = [(await t.open()).namespace('product'), (await t.open()).namespace('product')];
    let exists = false;
    const load = () => Promise.resolve(exists ? 'created' : undefined);
    assert.equal(await a.getOrLoad('new', load), undefined);
    assert.equal(await b.getOrLoad('new', load), undefined);
    exists = true;
    await b.invalidate('new');
    assert.equal(await b.getOrLoad('new', load), 'created');
    await within(1_000, () => a.getOrLoad('new', load), 'created');
  });

  it('a write by one instance (reload after expiry) expires the copy in the other L1', async () => {
    const opts = { ttlMs: 150, graceMs: 0 };
    const [a, b] = [(await t.open()).namespace('short'), (await t.open()).namespace('short')];
    assert.equal(await a.getOrLoad('k', () => Promise.resolve('v1'), opts), 'v1');
    assert.equal(await b.getOrLoad('k', () => Promise.resolve('v1'), opts), 'v1');
    await sleep(200);
    assert.equal(await a.getOrLoad('k', () => Promise.resolve('v2'), opts), 'v2');
    await within(1_000, () => b.getOrLoad('k', () => Promise.resolve('from b'), opts), 'v2');
  });

  it('keeps the invalidated value for grace only: served when the reload fails, never while it works', async () => {
    const [a, b] = [(await t.open()).namespace('product'), (await t.open()).namespace('product')];
    let version = 1;
    let failing = false;
    const load = () => (failing ? Promise.reject(new Error('mysql down')) : Promise.resolve(`v${version}`));
    assert.equal(await a.getOrLoad('g', load), 'v1');
    assert.equal(await b.getOrLoad('g', load), 'v1');
    // The product changed, then the database went away before anyone read it again.
    version = 2;
    failing = true;
    await a.invalidate('g');
    assert.equal(await a.getOrLoad('g', load), 'v1', 'the stale value, not an error');
    await within(1_000, () => b.getOrLoad('g', load), 'v1');
    // While the reload works, the old value is never served again.
    failing = false;
    await a.invalidate('g');
    assert.equal(await a.getOrLoad('g', load), 'v2');
    await within(1_000, () => b.getOrLoad('g', load), 'v2');
  });

  it('refuses namespace names that could share Redis keys with another namespace', async () => {
    const cache = await t.open();
    assert.throws(() => cache.namespace('a:b'), TypeError);
    assert.throws(() => cache.namespace(''), TypeError);
  });

  it('rejects with CacheRedisError when Redis is unreachable, so the caller retries', async () => {
    const cache = createCache({ redis: new Redis({ port: 1, lazyConnect: true }), prefix: t.prefix });
    try {
      const err: unknown = await cache
        .namespace('product')
        .invalidate('1')
        .catch((e: unknown) => e);
      assert.ok(isCacheRedisError(err), String(err));
    } finally {
      await cache.close();
    }
  });
});
