import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { dependencyUnavailable, notFound } from '../../errors.ts';
import { ADMIN_ONLY, DEPENDENCY_DOWN, PATH_PARAMS, problems } from '../../http/openapi.ts';
import { UUID } from '../../http/pagination.ts';
import type { Reconciler } from './reconciler.ts';

const units = (description: string) => Type.Integer({ description });

const Report = Type.Object({
  saleId: Type.String({ format: 'uuid' }),
  at: Type.String({ format: 'date-time' }),
  released: units('Reservations left `reserved` past RECONCILE_RESERVATION_AGE_MS that this round released'),
  releasedUnits: units('Their units, back in the sale'),
  kept: units('Stale candidates found published or confirmed at release: kept'),
  stock: Type.Integer(),
  sold: units('MySQL `sold`'),
  redisRemaining: Type.Union([Type.Integer(), Type.Null()], {
    description: 'null: the stock key is missing in Redis (run rebuild-stock)',
  }),
  redisLiveUnits: units('Units of live Redis reservations (reserved, published, confirmed)'),
  mysqlLiveUnits: units('Units of confirmed and paid orders'),
  inFlightUnits: units('Units of live reservations without a live order in MySQL yet'),
  expectedRemaining: units('stock − units of every order holding stock (Redis or MySQL, once each)'),
  drift: units(
    'expectedRemaining − redisRemaining (missing = 0); > 0 Redis undersells, < 0 Redis would oversell',
  ),
});

/** `GET /v1/admin/flash-sales/{id}/reconciliation`: the last round's report of a sale. */
export const reconciliationRoutes: FastifyPluginAsyncTypebox<{ reconciler: Reconciler }> = async (
  app,
  { reconciler },
) => {
  app.get(
    '/v1/admin/flash-sales/:id/reconciliation',
    {
      onRequest: [app.authenticate, app.requireRole('admin')],
      schema: {
        operationId: 'getFlashSaleReconciliation',
        tags: ['admin'],
        summary: 'The last reconciliation of a sale: stock drift and reservations released',
        security: [{ bearer: [] }],
        params: Type.Object({ id: Type.String({ pattern: UUID.source }) }),
        response: {
          200: Report,
          ...problems(PATH_PARAMS, ADMIN_ONLY, { 404: ['NOT_FOUND'] }, DEPENDENCY_DOWN),
        },
      },
    },
    async (request) => {
      const report = await reconciler.last(request.params.id).catch((err: unknown) => {
        throw dependencyUnavailable('the stock store', err);
      });
      if (!report) throw notFound('reconciliation of a flash sale');
      return report;
    },
  );
  return Promise.resolve();
};
