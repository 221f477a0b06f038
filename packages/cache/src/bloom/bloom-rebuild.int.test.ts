import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { isBloomRebuildError } from './bloom-errors.ts';
import { createBloomFilter } from './redis-bloom-filter.ts';
import {
  countMaybe,
  dropFilterKeys,
  filterKeys,
  ids,
  testRedis,
  uniqueFilterName,
} from './testing/bloom-test-redis.ts';

/** Yields `list`, pausing `pauseMs` every `every` ids and calling `at[i]` before id i. */
async function* slowly(
  list: readonly string[],
  every: number,
  pauseMs: number,
  at: Record<number, () => unknown> = {},
) {
  for (const [i, id] of list.entries()) {
    await at[i]?.();
    if (i % every === 0) await delay(pauseMs);
    yield id;
  }
}

describe('BloomFilter.rebuild', () => {
  let redis: Redis;
  let other: Redis;
  const names: string[] = [];
  /** Two filter objects on one key, each with its own client: two instances of the service. */
  const instances = (opts: { batchSize?: number; rebuildLeaseMs?: number } = {}) => {
    const key = uniqueFilterName();
    names.push(key);
    const base = { key, expectedItems: 20_000, falsePositiveRate: 0.01, checkTimeoutMs: 10_000, ...opts };
    return [createBloomFilter({ redis, ...base }), createBloomFilter({ redis: other, ...base })] as const;
  };

  before(() => void ((redis = testRedis()), (other = testRedis())));
  after(async () => {
    for (const name of names) await dropFilterKeys(redis, name);
    await Promise.all([redis.quit(), other.quit()]);
  });

  it('swaps atomically: concurrent readers never get false for a present id', async () => {
    const [a, b] = instances({ batchSize: 500 });
    const present = ids('present', 10_000);
    await a.rebuild(present);
    let rebuilding = true;
    let reads = 0;
    let falseNegatives = 0;
    const reader = async () => {
      for (let i = 0; rebuilding; i = (i + 997) % present.length) {
        if (!(await b.mightContain(present[i]!))) falseNegatives += 1;
        reads += 1;
      }
    };
    const readers = Array.from({ length: 8 }, reader);
    const dropped = ids('dropped', 5_000);
    await a.rebuild(slowly([...dropped, ...present], 500, 10)).finally(() => (rebuilding = false));
    await Promise.all(readers);
    assert.equal(falseNegatives, 0);
    assert.ok(reads > 500, `only ${reads} reads during the rebuild`);
    // The new filter was really swapped in: it holds the new source.
    assert.equal(await countMaybe(b.mightContain, dropped), dropped.length);
  });

  it('keeps ids added during a rebuild, by this instance and by another one', async () => {
    const [a, b] = instances({ batchSize: 200 });
    const source = ids('source', 4_000);
    const byA = ids('added-by-a', 300);
    const byB = ids('added-by-b', 300);
    const at = { 2_000: () => Promise.all([a.add(byA), b.add(byB)]) };
    assert.deepEqual(await a.rebuild(slowly(source, 200, 5, at)), { items: 4_000 });
    const all = [...source, ...byA, ...byB];
    assert.equal(await countMaybe(b.mightContain, all), all.length);
  });

  it('keeps every add that overlaps the swap (adds run continuously from start to after the swap)', async () => {
    const [a, b] = instances({ batchSize: 100 });
    await a.rebuild([]);
    let started!: () => void;
    const begun = new Promise<void>((resolve) => (started = resolve));
    let stop = false;
    const added: string[] = [];
    const adder = async (filter: typeof a, prefix: string) => {
      await begun;
      for (let i = 0; !stop; i++) {
        await filter.add(`${prefix}-${i}`);
        added.push(`${prefix}-${i}`);
      }
    };
    const adders = [adder(a, 'a'), adder(b, 'b'), adder(b, 'c')];
    await a.rebuild(slowly(ids('source', 2_000), 100, 2, { 0: started }));
    await delay(20);
    stop = true;
    await Promise.all(adders);
    assert.ok(added.length > 50, `only ${added.length} adds`);
    assert.equal(await countMaybe(a.mightContain, added), added.length);
  });

  it('allows one rebuild at a time across instances (E_BLOOM_REBUILD_BUSY)', async () => {
    const [a, b] = instances({ batchSize: 10 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = a.rebuild(slowly(ids('x', 20), 10, 0, { 15: () => held }));
    await delay(50);
    await assert.rejects(b.rebuild([]), (e) => isBloomRebuildError(e, 'E_BLOOM_REBUILD_BUSY'));
    release();
    assert.deepEqual(await first, { items: 20 });
    assert.deepEqual(await b.rebuild([]), { items: 0 });
  });

  it('fails with E_BLOOM_REBUILD_LOST when a batch outlives the lease, leaving the live filter as it was', async () => {
    const [a] = instances({ batchSize: 10, rebuildLeaseMs: 100 });
    await a.rebuild(ids('old', 10));
    await assert.rejects(a.rebuild(slowly(ids('new', 30), 10, 300)), (e) =>
      isBloomRebuildError(e, 'E_BLOOM_REBUILD_LOST'),
    );
    assert.equal(await countMaybe(a.mightContain, ids('old', 10)), 10);
    assert.deepEqual(await filterKeys(redis, names.at(-1)!), [a.keys.live]);
  });

  it('cleans up after a failing source or an abort, so the next rebuild can start at once', async () => {
    const [a] = instances({ batchSize: 10 });
    function* failing() {
      yield* ids('y', 25);
      throw new Error('source broke');
    }
    await assert.rejects(a.rebuild(failing()), /source broke/);
    assert.deepEqual(await filterKeys(redis, names.at(-1)!), []);
    const abort = new AbortController();
    const aborting = a.rebuild(slowly(ids('z', 100), 10, 0, { 50: () => abort.abort() }), {
      signal: abort.signal,
    });
    await assert.rejects(aborting, { name: 'AbortError' });
    assert.deepEqual(await filterKeys(redis, names.at(-1)!), []);
    assert.equal(await a.mightContain('anything'), true);
    assert.deepEqual(await a.rebuild(ids('z', 100)), { items: 100 });
  });
});
