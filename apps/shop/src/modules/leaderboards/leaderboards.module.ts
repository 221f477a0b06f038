import type { FastifyInstance } from 'fastify';
import { defineModule } from '../feature-module.ts';
import { ORDERS_TOPIC } from '../orders/order-events.ts';
import { leaderboardConsumer } from './leaderboard-consumer.ts';
import { leaderboardRoutes } from './leaderboard-routes.ts';
import { createLeaderboardStore } from './leaderboard-store.ts';
import { createLeaderboardsRepo } from './leaderboards-repo.ts';

/**
 * leaderboards: top products by units paid for (this hour, 24 h, all time) and top buyers by
 * spend (display names only), kept in Redis by a consumer of `order.paid`, rebuildable from MySQL.
 */
export const leaderboardsModule = defineModule({
  name: 'leaderboards',
  create(ctx) {
    const store = createLeaderboardStore(ctx.redis, { scope: ctx.databaseName });
    const repo = createLeaderboardsRepo(ctx.db);
    const cache = ctx.cache.namespace('leaderboard', { ttlMs: 2_000, graceMs: 60_000 });
    return {
      store,
      repo,
      routes: async (app: FastifyInstance) => {
        await app.register(leaderboardRoutes, { store, repo, cache });
      },
      consumers: [
        {
          name: 'leaderboards',
          topic: ORDERS_TOPIC,
          group: 'surge-leaderboards',
          handle: leaderboardConsumer(store, repo),
        },
      ],
    };
  },
});
