import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { notFound } from '../../errors.ts';
import { AUTHENTICATED, DEPENDENCY_DOWN, INVALID_QUERY, PATH_PARAMS, problems } from '../../http/openapi.ts';
import { decodeCursor, page, pageOf, PageQuery, UUID } from '../../http/pagination.ts';
import { claimsOf } from '../sessions/auth-plugin.ts';
import type { Order, OrdersRepo } from './orders-repo.ts';
import type { PendingOrders } from './pending-orders.ts';

export const OrderSchema = Type.Object({
  orderId: Type.String({ format: 'uuid' }),
  userId: Type.String({ format: 'uuid' }),
  saleId: Type.String({ format: 'uuid' }),
  quantity: Type.Integer(),
  priceCents: Type.Integer({ description: 'Unit price at placement, cents' }),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('confirmed'),
    Type.Literal('rejected'),
    Type.Literal('paid'),
    Type.Literal('cancelled'),
  ]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const IdParams = Type.Object({ id: Type.String({ pattern: UUID.source }) });

/** The caller's own orders (G10: another user's order is the same 404 as an unknown one). */
export const ordersRoutes: FastifyPluginAsyncTypebox<{ orders: OrdersRepo; pending: PendingOrders }> = async (
  app,
  { orders, pending },
) => {
  app.get(
    '/v1/orders/:id',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'getOrder',
        tags: ['orders'],
        summary: 'One of my orders (pending until the order-writer has stored it)',
        security: [{ bearer: [] }],
        params: IdParams,
        response: {
          200: OrderSchema,
          ...problems(PATH_PARAMS, AUTHENTICATED, { 404: ['NOT_FOUND'] }, DEPENDENCY_DOWN),
        },
      },
    },
    async (request): Promise<Order> => {
      const { sub } = claimsOf(request);
      const stored = await orders.findById(request.params.id);
      if (stored) {
        if (stored.userId !== sub) throw notFound('order');
        return stored;
      }
      // Redis unreachable → the error handler's 503 + Retry-After: an accepted order that is not
      // written yet must not be answered "does not exist".
      const accepted = await pending.find(request.params.id);
      if (!accepted || accepted.userId !== sub) throw notFound('order');
      return { ...accepted, status: 'pending', createdAt: accepted.placedAt, updatedAt: accepted.placedAt };
    },
  );

  app.get(
    '/v1/orders',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'listMyOrders',
        tags: ['orders'],
        summary: 'My stored orders, newest first',
        security: [{ bearer: [] }],
        querystring: PageQuery,
        response: {
          200: pageOf(OrderSchema),
          ...problems(INVALID_QUERY, { 400: ['INVALID_CURSOR'] }, AUTHENTICATED, DEPENDENCY_DOWN),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const beforeId = decodeCursor(request.query.cursor, UUID);
      const rows = await orders.listForUser(claimsOf(request).sub, { limit: limit + 1, beforeId });
      return page(
        rows,
        limit,
        (o) => o,
        (o) => o.orderId,
      );
    },
  );
  return Promise.resolve();
};
