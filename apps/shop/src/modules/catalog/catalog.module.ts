import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { createBloomFilter, startBloomRebuilder } from '@surge/cache';
import { defineModule } from '../feature-module.ts';
import { cacheInvalidationConsumer } from './cache-invalidation-consumer.ts';
import { createCachedProductReader } from './cached-product-reader.ts';
import { CATALOG_TOPIC, ProductChanged } from './catalog-events.ts';
import { catalogRoutes } from './catalog-routes.ts';
import * as m0004 from './migrations/0004-products.ts';
import { createProductsRepo } from './products-repo.ts';

/** The product namespace's hot tier: a second at most of extra staleness after an entry expires by itself. */
const PRODUCT_HOT_TIER = { ttlMs: 1_000, maxItems: 10_000 } as const;

/**
 * catalog: products in MySQL, read through the two-tier cache behind a Bloom filter of existing
 * ids (ADR 0005); admin create/patch publish `product.changed` through the outbox; a consumer
 * invalidates every instance's cache; the worker rebuilds the filter from MySQL in the background.
 */
export const catalogModule = defineModule({
  name: 'catalog',
  migrations: { '0004-products': m0004 },
  events: [ProductChanged],
  topics: [{ name: CATALOG_TOPIC, partitions: 3 }],
  create(ctx) {
    const { config } = ctx;
    const repo = createProductsRepo(ctx.db);
    const log = ctx.logger.child({ component: 'catalog' });
    const filter = createBloomFilter({
      redis: ctx.redis,
      key: `products.${ctx.databaseName}`,
      expectedItems: config.catalogExpectedProducts,
      falsePositiveRate: config.catalogBloomFalsePositiveRate,
      // The same budget as every Redis call; past it the filter answers "maybe" (fail open).
      checkTimeoutMs: config.dependencyTimeoutMs,
      log,
    });
    const bloomRejections = new Counter({
      name: 'surge_cache_bloom_rejections_total',
      help: 'Reads answered "not found" by the Bloom filter before the cache or MySQL was touched',
      labelNames: ['namespace'] as const,
      registers: [ctx.metrics],
    });
    const reader = createCachedProductReader({
      // The hot tier (ADR 0018): hot products are served as objects for 1 s before L1 is asked
      // again; every invalidation, here or on another instance, drops them at once.
      products: ctx.cache.namespace('product', {}, { hot: PRODUCT_HOT_TIER }),
      repo,
      filter,
      onFilterRejected: () => bloomRejections.inc({ namespace: 'product' }),
    });
    return {
      repo,
      reader,
      filter,
      routes: async (app: FastifyInstance) => {
        await app.register(catalogRoutes, {
          db: ctx.db,
          products: repo,
          reader,
          outbox: ctx.outbox,
          topic: ctx.topic,
        });
      },
      consumers: [
        {
          name: 'cache-invalidation',
          topic: CATALOG_TOPIC,
          group: 'surge-cache-invalidation',
          handle: cacheInvalidationConsumer(reader),
        },
      ],
      jobs: [
        {
          name: 'bloom-rebuilder',
          // One instance at a time rebuilds the filter from MySQL (a Redis lock inside).
          start: () =>
            startBloomRebuilder({
              filter,
              redis: ctx.redis,
              source: () => repo.allIds(),
              intervalMs: config.bloomRebuildIntervalMs,
              log,
            }),
        },
      ],
    };
  },
});
