import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import { eventually, throwawayRedis } from '@surge/test-support';
import { startTestApp, type TestApp } from '../../testing/test-app.ts';
import { createCachedProductReader } from './cached-product-reader.ts';

/** Counts MySQL product lookups of an app (the cache's loader is the only caller). */
function countLookups(t: TestApp) {
  const original = t.features.catalog.repo.findById.bind(t.features.catalog.repo);
  const counter = { calls: 0 };
  t.features.catalog.repo.findById = (id: string) => {
    counter.calls++;
    return original(id);
  };
  return counter;
}

async function adminHeaders(t: TestApp) {
  const token = await t.token('admin', uuidv7());
  return { authorization: `Bearer ${token}` };
}

async function createProduct(t: TestApp, name = 'Cached thing') {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/products',
    payload: { name, priceCents: 4200 },
    headers: await adminHeaders(t),
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json<{ id: string }>().id;
}

describe('product cache across two instances (ADR 0005, P3)', () => {
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    [a, b] = await Promise.all([startTestApp(), startTestApp()]);
  });
  after(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('1,000 concurrent cold reads of one product on two instances → exactly one MySQL query', async () => {
    const id = await createProduct(a);
    await a.features.catalog.reader.invalidate(id); // cold everywhere: L1 of both and L2
    const [ca, cb] = [countLookups(a), countLookups(b)];
    const responses = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        (i % 2 === 0 ? a : b).app.inject({ method: 'GET', url: `/v1/products/${id}` }),
      ),
    );
    assert.ok(responses.every((r) => r.statusCode === 200));
    assert.equal(ca.calls + cb.calls, 1, `MySQL lookups: a=${ca.calls} b=${cb.calls}`);
  });

  it('an admin update on one instance is served by the other (cache bus invalidation)', async (t) => {
    const id = await createProduct(a, 'Before');
    assert.equal(
      (await b.app.inject({ method: 'GET', url: `/v1/products/${id}` })).json<{ name: string }>().name,
      'Before',
    );
    const started = Date.now();
    const patch = await a.app.inject({
      method: 'PATCH',
      url: `/v1/admin/products/${id}`,
      payload: { name: 'After' },
      headers: await adminHeaders(a),
    });
    assert.equal(patch.statusCode, 200);
    await eventually(
      'instance b serves the new name',
      async () => {
        const res = await b.app.inject({ method: 'GET', url: `/v1/products/${id}` });
        return res.json<{ name: string }>().name === 'After' ? true : undefined;
      },
      { timeoutMs: 10_000 },
    );
    t.diagnostic(`instance b served the update ${Date.now() - started} ms after the PATCH began`);
  });

  it('with the Bloom filter built, 10,000 reads of ids that do not exist almost never reach MySQL', async (t) => {
    await a.features.catalog.filter.rebuild(a.features.catalog.repo.allIds());
    const ca = countLookups(a);
    const statuses = new Set<number>();
    for (let i = 0; i < 10_000; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: 100 }, () => a.app.inject({ method: 'GET', url: `/v1/products/${uuidv7()}` })),
      );
      for (const r of batch) statuses.add(r.statusCode);
    }
    assert.deepEqual([...statuses], [404]);
    // Only the filter's false positives (configured 0.1 %: ~10 of 10,000) may reach MySQL.
    t.diagnostic(`MySQL lookups for 10,000 missing ids with the filter built: ${ca.calls}`);
    assert.ok(ca.calls <= 50, `MySQL lookups for missing ids: ${ca.calls}`);
    const existing = await createProduct(a, 'Added after the build');
    assert.equal((await a.app.inject({ method: 'GET', url: `/v1/products/${existing}` })).statusCode, 200);
  });

  it('without a filter, a missing id reaches MySQL at most once within the negative TTL', async () => {
    const calls = new Map<string, number>();
    const reader = createCachedProductReader({
      products: a.ctx.cache.namespace('product'),
      repo: {
        ...a.features.catalog.repo,
        findById: (id: string) => {
          calls.set(id, (calls.get(id) ?? 0) + 1);
          return Promise.resolve(undefined);
        },
      },
    });
    const ids = Array.from({ length: 2000 }, () => uuidv7());
    // 10,000 reads, 16 at a time: within the loader bulkhead (a larger flood of distinct misses is
    // refused by the bulkhead with 503 — that protects MySQL, and is what the filter avoids).
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < ids.length; i += 16) {
        const results = await Promise.all(ids.slice(i, i + 16).map((id) => reader.get(id)));
        assert.ok(results.every((r) => r === undefined));
      }
    }
    assert.equal(calls.size, 2000);
    assert.ok(
      [...calls.values()].every((n) => n === 1),
      'each missing id was looked up once',
    );
  });
});

describe('product reads while Redis is down (docs/architecture.md, degradation)', () => {
  it('keep answering from L1 and MySQL, without hanging; heal when Redis returns', async () => {
    const redis = await throwawayRedis();
    await redis.start();
    // A failed start-up must still stop the throwaway Redis, or the test file never ends.
    const t = await startTestApp({ REDIS_URL: redis.url, DEPENDENCY_TIMEOUT_MS: '300' }).catch(
      async (err: unknown) => {
        await redis.stop();
        throw err;
      },
    );
    try {
      const cached = await createProduct(t, 'Cached before the outage');
      const uncached = await createProduct(t, 'Never read before the outage');
      assert.equal((await t.app.inject({ method: 'GET', url: `/v1/products/${cached}` })).statusCode, 200);
      await redis.kill();
      const started = Date.now();
      const during = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          t.app.inject({ method: 'GET', url: `/v1/products/${i % 2 === 0 ? cached : uncached}` }),
        ),
      );
      const codes = during.map((r) => r.statusCode);
      assert.ok(
        codes.every((c) => c === 200 || c === 503),
        `codes during the outage: ${[...new Set(codes)].join(',')}`,
      );
      assert.ok(
        codes.filter((c, i) => i % 2 === 0 && c === 200).length === 100,
        'the cached product is always served',
      );
      assert.ok(Date.now() - started < 30_000, 'reads during a Redis outage must not hang');
      // Writes commit in MySQL: a Redis outage must not turn them into 5xx after the fact.
      const admin = await adminHeaders(t);
      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/v1/admin/products/${uncached}`,
        payload: { priceCents: 4300 },
        headers: admin,
      });
      assert.equal(patched.statusCode, 200, patched.body);
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/admin/products',
        payload: { name: 'Created during the outage', priceCents: 1 },
        headers: admin,
      });
      assert.equal(created.statusCode, 201, created.body);
      await redis.start();
      await eventually(
        'reads of both products after Redis returns',
        async () => {
          const r = await Promise.all(
            [cached, uncached].map((id) => t.app.inject({ method: 'GET', url: `/v1/products/${id}` })),
          );
          return r.every((x) => x.statusCode === 200) ? true : undefined;
        },
        { timeoutMs: 20_000 },
      );
    } finally {
      await t.close();
      await redis.stop();
    }
  });
});
