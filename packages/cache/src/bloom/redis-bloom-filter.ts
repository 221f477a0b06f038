import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { defineScripts } from '@surge/redis-kit';
import { createThrottle, silentLog, withTimeout, type Log } from '@surge/resilience';
import { BloomRebuildError } from './bloom-errors.ts';
import { bloomParams, type BloomParams } from './bloom-params.ts';
import { bloomPositions } from './bloom-positions.ts';
import { bloomScripts as scripts } from './bloom-scripts.ts';

export interface BloomFilterOptions {
  /** ioredis client or Cluster: all keys of a filter share the hash tag `{bloom:<key>}`. */
  redis: Redis | Cluster;
  /**
   * Filter name, `[\w.-]+`, e.g. `products`. Redis keys: `surge:{bloom:<key>}:m<bits>:k<hashes>`
   * (live bitmap), `…:building` (pointer to the running rebuild), `…:building:<token>`. The sizes
   * are part of the name, so new sizes start a new, unbuilt (fail-open) filter instead of reading
   * the old bitmap with other offsets.
   */
  key: string;
  /** Items the filter is sized for (n ≥ 1); see `bloomParams`. */
  expectedItems: number;
  /** Target false-positive rate, 0 < p < 1, e.g. 0.01. */
  falsePositiveRate: number;
  /** Longest wait for one `mightContain`, in ms; past it the answer is `true`. Default 250. */
  checkTimeoutMs?: number;
  /** Ids written per round trip by `add(ids[])` and `rebuild`. Default 1000. */
  batchSize?: number;
  /**
   * Lease of a rebuild, in ms: its keys expire unless a batch lands within it, so a crashed
   * rebuild frees the filter for another. A slower batch makes the rebuild fail. Default 60000.
   */
  rebuildLeaseMs?: number;
  /** Receives fail-open reports (`warn`, at most one per 10 s, with a count of the suppressed ones). */
  log?: Log;
}

export interface BloomFilter {
  readonly params: BloomParams;
  /** Redis keys of the live bitmap and of the rebuild pointer. */
  readonly keys: { readonly live: string; readonly pointer: string };
  /**
   * Adds ids to the live filter and to a running rebuild's bitmap (of any instance). Call it after
   * the id is durable where `rebuild`'s source reads it (e.g. after the INSERT commits): an add
   * that precedes a rebuild's start relies on that source to carry the id into the new filter.
   * A no-op before the first build. Rejects when Redis fails.
   */
  readonly add: (ids: string | readonly string[]) => Promise<void>;
  /**
   * False only when `id` was certainly never added. True when it may have been (false-positive
   * rate ≈ p), before the first build, and when Redis fails or is slow (fail open, logged).
   */
  readonly mightContain: (id: string) => Promise<boolean>;
  /**
   * Builds a new bitmap from every id of `source` (one round trip per `batchSize` ids), then swaps
   * it in atomically; ids added meanwhile are kept. Rejects with `BloomRebuildError`
   * (`E_BLOOM_REBUILD_BUSY`, `E_BLOOM_REBUILD_LOST`), the source's error, or `signal`'s reason;
   * the live filter is then unchanged.
   */
  readonly rebuild: (
    source: AsyncIterable<string> | Iterable<string>,
    opts?: { signal?: AbortSignal },
  ) => Promise<{ items: number }>;
}

const LOG_INTERVAL_MS = 10_000;
const KEY_NAME = /^[\w.-]+$/;

/** A Bloom filter on a Redis bitmap (ADR 0005, penetration). */
export function createBloomFilter(options: BloomFilterOptions): BloomFilter {
  const { redis, key, log = silentLog } = options;
  const { checkTimeoutMs = 250, batchSize = 1000, rebuildLeaseMs = 60_000 } = options;
  if (!KEY_NAME.test(key)) throw new TypeError(`bloom: key must match ${String(KEY_NAME)}, got '${key}'`);
  for (const [name, value] of Object.entries({ checkTimeoutMs, batchSize, rebuildLeaseMs })) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`bloom: ${name} must be >= 1`);
  }
  const params = bloomParams(options.expectedItems, options.falsePositiveRate);
  const live = `surge:{bloom:${key}}:m${params.bits}:k${params.hashes}`;
  const keys = Object.freeze({ live, pointer: `${live}:building` });
  // `add` queues a script on a MULTI: ioredis copies defined scripts into it when it is created.
  defineScripts(redis, [scripts.add]);

  const offsetsOf = (ids: readonly string[]) => ids.flatMap((id) => bloomPositions(id, params));
  const failOpenReports = createThrottle(LOG_INTERVAL_MS);
  function failOpen(err: unknown) {
    const suppressed = failOpenReports.pass();
    if (suppressed === undefined) return;
    log.warn({ key: live, err, suppressed }, 'bloom filter check failed; answering "may contain"');
  }

  async function add(ids: string | readonly string[]): Promise<void> {
    const list = typeof ids === 'string' ? [ids] : ids;
    for (let i = 0; i < list.length; i += batchSize) {
      const offsets = offsetsOf(list.slice(i, i + batchSize));
      // Read each time, never cached: another instance may be rebuilding.
      const building = await redis.get(keys.pointer);
      // One transaction, so a swap cannot land between the two writes.
      const tx = redis.multi();
      if (building !== null) scripts.add.queue(tx, [building], offsets);
      scripts.add.queue(tx, [live], offsets);
      // A missing bitmap ('no-bitmap': not built yet, or the rebuild just ended) is no error.
      for (const [err, reply] of (await tx.exec()) ?? []) {
        if (err) throw err;
        scripts.add.parse(reply);
      }
    }
  }

  async function mightContain(id: string): Promise<boolean> {
    const offsets = bloomPositions(id, params);
    try {
      const check = () => scripts.check.run(redis, [live], offsets);
      return (await withTimeout(check, checkTimeoutMs, { what: 'bloom: check' })) !== 'absent';
    } catch (err) {
      failOpen(err);
      return true;
    }
  }

  async function rebuild(
    source: AsyncIterable<string> | Iterable<string>,
    { signal }: { signal?: AbortSignal } = {},
  ): Promise<{ items: number }> {
    signal?.throwIfAborted();
    const building = `${keys.pointer}:${randomBytes(8).toString('hex')}`;
    const lost = () =>
      new BloomRebuildError('E_BLOOM_REBUILD_LOST', `bloom: rebuild of ${live} lost its lease`);
    const begun = await scripts.begin.run(redis, [keys.pointer, building], [params.bits - 1, rebuildLeaseMs]);
    if (begun === 'busy') {
      throw new BloomRebuildError('E_BLOOM_REBUILD_BUSY', `bloom: ${live} is already being rebuilt`);
    }
    let items = 0;
    let batch: string[] = [];
    async function flush() {
      signal?.throwIfAborted();
      const filled = await scripts.fill.run(
        redis,
        [keys.pointer, building],
        [rebuildLeaseMs, ...offsetsOf(batch)],
      );
      if (filled === 'lost') throw lost();
      items += batch.length;
      batch = [];
    }
    try {
      for await (const id of source) {
        batch.push(id);
        if (batch.length >= batchSize) await flush();
      }
      if (batch.length > 0) await flush();
      signal?.throwIfAborted();
      const swapped = await scripts.swap.run(redis, [keys.pointer, building, live]);
      if (swapped === 'lost') throw lost();
      return { items };
    } catch (err) {
      await scripts.abort.run(redis, [keys.pointer, building]).catch((abortErr: unknown) => {
        log.warn(
          { key: live, err: abortErr },
          'bloom rebuild could not clean up; its keys expire with the lease',
        );
      });
      throw err;
    }
  }

  return { params, keys, add, mightContain, rebuild };
}
