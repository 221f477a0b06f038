import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../../db/schema.ts';
import { claimsOf } from '../../http/auth.ts';
import { AUTHENTICATED, INVALID_QUERY, problems } from '../../http/openapi.ts';
import { decodeCursor, page, pageOf, PageQuery, UUID } from '../../http/pagination.ts';

const Notification = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  body: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

/** `GET /v1/me/notifications`: the caller's own notifications, newest first (ids are UUIDv7). */
export const notificationsRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (
  app,
  { db },
) => {
  app.get(
    '/v1/me/notifications',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'listMyNotifications',
        tags: ['users'],
        summary: 'My notifications, newest first',
        security: [{ bearer: [] }],
        querystring: PageQuery,
        response: {
          200: pageOf(Notification),
          ...problems(INVALID_QUERY, { 400: ['INVALID_CURSOR'] }, AUTHENTICATED),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const after = decodeCursor(request.query.cursor, UUID);
      let q = db
        .selectFrom('notifications')
        .select(['id', 'kind', 'title', 'body', 'created_at'])
        .where('user_id', '=', claimsOf(request).sub)
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (after !== undefined) q = q.where('id', '<', after);
      const rows = await q.execute();
      return page(
        rows,
        limit,
        (r) => ({
          id: r.id,
          kind: r.kind,
          title: r.title,
          body: r.body,
          createdAt: r.created_at.toISOString(),
        }),
        (r) => r.id,
      );
    },
  );
  return Promise.resolve();
};
