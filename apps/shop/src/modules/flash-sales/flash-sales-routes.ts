import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Outbox } from '@surge/messaging';
import type { Database } from '../../db/schema.ts';
import { DomainError, notFound } from '../../errors.ts';
import {
  ADMIN_ONLY,
  DEPENDENCY_DOWN,
  INVALID_QUERY,
  PARSED_BODY,
  PATH_PARAMS,
  VALIDATED_BODY,
  problems,
} from '../../http/openapi.ts';
import { decodeCursor, encodeCursor, pageOf, PageQuery, UUID } from '../../http/pagination.ts';
import { traceHeaders } from '../../http/trace.ts';
import type { ProductsRepo } from '../catalog/products-repo.ts';
import { FlashSaleChanged, flashSaleChanged } from './flash-sale-events.ts';
import type { FlashSaleReader } from './flash-sale-view.ts';
import type { FlashSaleRecord, FlashSalesRepo } from './flash-sales-repo.ts';

const FlashSaleSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  productId: Type.String({ format: 'uuid' }),
  stock: Type.Integer(),
  priceCents: Type.Integer(),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
  perUserLimit: Type.Integer(),
  remaining: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Units left (at most ~250 ms old); null while Redis cannot say',
  }),
  status: Type.Union([
    Type.Literal('scheduled'),
    Type.Literal('active'),
    Type.Literal('sold_out'),
    Type.Literal('ended'),
  ]),
});

const IdParams = Type.Object({ id: Type.String({ pattern: UUID.source }) });
const ListQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('scheduled')], { default: 'active' }),
    ),
  },
  { additionalProperties: false },
);

/** Codes this module throws (flash-sales.module.ts declares their statuses). */
export const FLASH_SALE_PROBLEMS = { UNKNOWN_PRODUCT: 400, INVALID_SALE_WINDOW: 400 } as const;

export const flashSalesRoutes: FastifyPluginAsyncTypebox<{
  db: Kysely<Database>;
  sales: FlashSalesRepo;
  products: ProductsRepo;
  reader: FlashSaleReader;
  outbox: Outbox;
  topic: (base: string) => string;
  /**
   * Puts a new sale's stock into Redis (idempotent); a failure is retried by the stock warmer
   * until the sale starts, then it is rebuild-stock's.
   */
  warm: (sale: FlashSaleRecord) => Promise<unknown>;
  /** Recreates the sale's Redis state from MySQL (rebuild-stock-5.lua). */
  rebuild: (
    sale: FlashSaleRecord,
    force: boolean,
  ) => Promise<{ rebuilt: boolean; remaining: number; liveUnits: number }>;
}> = async (app, { db, sales, products, reader, outbox, topic, warm, rebuild }) => {
  const admin = [app.authenticate, app.requireRole('admin')];

  app.post(
    '/v1/admin/flash-sales',
    {
      onRequest: admin,
      schema: {
        operationId: 'createFlashSale',
        tags: ['admin'],
        summary: 'Create a flash sale of a product',
        security: [{ bearer: [] }],
        body: Type.Object(
          {
            productId: Type.String({ pattern: UUID.source }),
            stock: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
            priceCents: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
            startsAt: Type.String({ format: 'date-time' }),
            endsAt: Type.String({ format: 'date-time' }),
            perUserLimit: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: FlashSaleSchema,
          ...problems(VALIDATED_BODY, { 400: ['UNKNOWN_PRODUCT', 'INVALID_SALE_WINDOW'] }, ADMIN_ONLY),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const startsAt = new Date(body.startsAt);
      const endsAt = new Date(body.endsAt);
      if (!(startsAt < endsAt))
        throw new DomainError('INVALID_SALE_WINDOW', 'startsAt must be before endsAt');
      if (endsAt.getTime() <= Date.now())
        throw new DomainError('INVALID_SALE_WINDOW', 'endsAt is in the past');
      if (!(await products.findById(body.productId))) {
        throw new DomainError('UNKNOWN_PRODUCT', 'no product with this productId');
      }
      const headers = traceHeaders(request);
      const sale = await db.transaction().execute(async (trx) => {
        const created = await sales.create(trx, { ...body, startsAt, endsAt });
        await outbox.add<Database>(trx, topic(FlashSaleChanged.topic), flashSaleChanged(created, headers));
        return created;
      });
      outbox.notify();
      // Committed: 201 whatever Redis does now; the worker's stock warmer puts it later (before
      // the sale starts; after, the log says to run rebuild-stock).
      await warm(sale).catch((err: unknown) =>
        request.log.warn({ err, saleId: sale.id }, 'stock not warmed yet'),
      );
      const [view] = await reader.views([sale]);
      if (!view) throw new Error('no view of the sale just created');
      return reply.code(201).header('location', `/v1/flash-sales/${sale.id}`).send(view);
    },
  );

  app.post(
    '/v1/admin/flash-sales/:id/rebuild-stock',
    {
      onRequest: admin,
      schema: {
        operationId: 'rebuildFlashSaleStock',
        tags: ['admin'],
        summary: 'Recreate a sale’s stock in Redis from MySQL (after Redis lost it)',
        description:
          'Remaining = stock − units of confirmed and paid orders; each of those orders becomes a ' +
          'confirmed reservation again. Does nothing while the stock is in Redis, unless `?force=true` ' +
          '(stop placements and let the order-writer drain first: orders still in flight are not in MySQL).',
        security: [{ bearer: [] }],
        params: IdParams,
        querystring: Type.Object({ force: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            saleId: Type.String({ format: 'uuid' }),
            rebuilt: Type.Boolean({ description: 'false: the stock was in Redis, nothing changed' }),
            remaining: Type.Integer(),
            liveUnits: Type.Integer({ description: 'Units of confirmed and paid orders in MySQL' }),
          }),
          ...problems(
            PATH_PARAMS,
            INVALID_QUERY,
            PARSED_BODY,
            ADMIN_ONLY,
            { 404: ['NOT_FOUND'] },
            DEPENDENCY_DOWN,
          ),
        },
      },
    },
    async (request) => {
      const sale = await sales.findById(request.params.id);
      if (!sale) throw notFound('flash sale');
      const result = await rebuild(sale, request.query.force === true);
      request.log.warn({ saleId: sale.id, ...result }, 'rebuild-stock');
      await reader.invalidate(sale.id).catch(() => {});
      return { saleId: sale.id, ...result };
    },
  );

  app.get(
    '/v1/flash-sales/:id',
    {
      schema: {
        operationId: 'getFlashSale',
        tags: ['flash-sales'],
        summary: 'A flash sale with its remaining units (cached)',
        security: [],
        params: IdParams,
        response: { 200: FlashSaleSchema, ...problems(PATH_PARAMS, { 404: ['NOT_FOUND'] }, DEPENDENCY_DOWN) },
      },
    },
    async (request) => {
      const view = await reader.get(request.params.id);
      if (!view) throw notFound('flash sale');
      return view;
    },
  );

  app.get(
    '/v1/flash-sales',
    {
      schema: {
        operationId: 'listFlashSales',
        tags: ['flash-sales'],
        summary: 'Active or scheduled flash sales, oldest first',
        security: [],
        querystring: ListQuery,
        response: {
          200: pageOf(FlashSaleSchema),
          ...problems(INVALID_QUERY, { 400: ['INVALID_CURSOR'] }, DEPENDENCY_DOWN),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const afterId = decodeCursor(request.query.cursor, UUID);
      const rows = await sales.list(request.query.status ?? 'active', new Date(), afterId, limit);
      const views = await reader.views(rows.slice(0, limit));
      const last = views.at(-1);
      return { items: views, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    },
  );
  return Promise.resolve();
};
