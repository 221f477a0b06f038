import { Redis } from 'ioredis';
import { testRedisUrl, uniquePrefix } from '@surge/test-support';
import { createCache, type Cache } from '../create-cache.ts';
import type { CacheOptions } from '../options.ts';

/**
 * Caches for one test, sharing one prefix (like instances of one service), each with connections
 * of its own (like separate processes). `cleanup()` closes them and deletes the prefix's keys.
 */
export function testCaches(what: string, url = testRedisUrl()) {
  const prefix = uniquePrefix(what);
  const sources: Redis[] = [];
  const caches: Cache[] = [];
  const probe = new Redis(url, { maxRetriesPerRequest: 1 });
  probe.on('error', () => undefined); // outage tests kill its server on purpose
  return {
    prefix,
    /** A plain client for looking at what the caches wrote. */
    probe,
    async open(options: Partial<CacheOptions> = {}): Promise<Cache> {
      const source = new Redis(url, { lazyConnect: true });
      sources.push(source);
      const cache = createCache({ redis: source, prefix, ...options });
      caches.push(cache);
      await cache.ready();
      return cache;
    },
    /** The L2 key bentocache writes for `key` of `namespace`. */
    l2Key: (namespace: string, key: string) => `${prefix}:${namespace}:${key}`,
    lockKey: (namespace: string, key: string) => `${prefix}-lock:${namespace}:${key}`,
    async cleanup() {
      await Promise.all(caches.map((c) => c.close()));
      for (const s of sources) s.disconnect();
      try {
        for (const pattern of [`${prefix}:*`, `${prefix}-lock:*`]) {
          const keys = await probe.keys(pattern);
          if (keys.length > 0) await probe.unlink(...keys);
        }
      } finally {
        probe.disconnect();
      }
    },
  };
}
