import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { CacheNamespace } from '@surge/cache';
import { dependencyUnavailable } from '../../errors.ts';
import { ADMIN_ONLY, DEPENDENCY_DOWN, INVALID_QUERY, PARSED_BODY, problems } from '../../http/openapi.ts';
import type { LeaderboardStore, Window } from './leaderboard-store.ts';
import type { LeaderboardsRepo } from './leaderboards-repo.ts';

const TOP = 10;

const ProductsBoard = Type.Object({
  window: Type.Union([Type.Literal('1h'), Type.Literal('24h'), Type.Literal('all')]),
  items: Type.Array(
    Type.Object({
      rank: Type.Integer(),
      productId: Type.String({ format: 'uuid' }),
      name: Type.String(),
      units: Type.Integer({ description: 'Units paid for in the window' }),
    }),
  ),
});

const BuyersBoard = Type.Object({
  items: Type.Array(
    Type.Object({
      rank: Type.Integer(),
      displayName: Type.String(),
      spentCents: Type.Integer({ description: 'Total paid, all time' }),
    }),
  ),
});

type Products = Static<typeof ProductsBoard>;
type Buyers = Static<typeof BuyersBoard>;

/** `GET /v1/leaderboards/products`, `GET /v1/leaderboards/buyers`, `POST /v1/admin/leaderboards/rebuild`. */
export const leaderboardRoutes: FastifyPluginAsyncTypebox<{
  store: LeaderboardStore;
  repo: LeaderboardsRepo;
  /** Whole answers, for a couple of seconds: a crowd refreshing the board costs Redis per instance. */
  cache: CacheNamespace;
}> = async (app, { store, repo, cache }) => {
  const cached = async <T>(key: string, load: () => Promise<T>): Promise<T> => {
    try {
      return (await cache.getOrLoad<T>(key, load)) as T;
    } catch (err) {
      throw dependencyUnavailable('the leaderboards', err);
    }
  };

  app.get(
    '/v1/leaderboards/products',
    {
      schema: {
        operationId: 'topProducts',
        tags: ['leaderboards'],
        security: [],
        summary:
          'The 10 products with the most units paid for (1h: this clock hour, UTC; 24h: it and the 23 before)',
        querystring: Type.Object(
          {
            window: Type.Optional(Type.Union([Type.Literal('1h'), Type.Literal('24h'), Type.Literal('all')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: ProductsBoard, ...problems(INVALID_QUERY, DEPENDENCY_DOWN) },
      },
    },
    (request) => {
      const window: Window = request.query.window ?? '24h';
      return cached<Products>(`products:${window}`, async () => {
        const top = await store.topProducts(window, TOP);
        const names = await repo.productNames(top.map(([id]) => id));
        return {
          window,
          items: top.map(([productId, units], i) => ({
            rank: i + 1,
            productId,
            name: names.get(productId) ?? '(unknown product)',
            units,
          })),
        };
      });
    },
  );

  app.get(
    '/v1/leaderboards/buyers',
    {
      schema: {
        operationId: 'topBuyers',
        tags: ['leaderboards'],
        security: [],
        summary: 'The 10 buyers who spent the most, by display name only',
        querystring: Type.Object({}, { additionalProperties: false }),
        response: { 200: BuyersBoard, ...problems(INVALID_QUERY, DEPENDENCY_DOWN) },
      },
    },
    () =>
      cached<Buyers>('buyers:all', async () => {
        const top = await store.topBuyers(TOP);
        const names = await repo.displayNames(top.map(([id]) => id));
        // Never an id or an email: a buyer whose account is gone shows as such.
        return {
          items: top.map(([userId, spentCents], i) => ({
            rank: i + 1,
            displayName: names.get(userId) ?? '(former buyer)',
            spentCents,
          })),
        };
      }),
  );

  app.post(
    '/v1/admin/leaderboards/rebuild',
    {
      onRequest: [app.authenticate, app.requireRole('admin')],
      schema: {
        operationId: 'rebuildLeaderboards',
        tags: ['admin'],
        summary: 'Rebuild every leaderboard from the paid orders in MySQL (after Redis lost them)',
        security: [{ bearer: [] }],
        response: {
          200: Type.Object({ orders: Type.Integer() }),
          ...problems(PARSED_BODY, ADMIN_ONLY, DEPENDENCY_DOWN),
        },
      },
    },
    async () => {
      const result = await store.replaceWith(repo.paidOrders());
      for (const key of ['products:1h', 'products:24h', 'products:all', 'buyers:all']) {
        await cache.invalidate(key).catch(() => undefined);
      }
      return result;
    },
  );
  return Promise.resolve();
};
