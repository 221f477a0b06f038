import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { claimsOf } from '../sessions/auth-plugin.ts';
import { AUTHENTICATED, DEPENDENCY_DOWN, INVALID_QUERY, problems } from '../../http/openapi.ts';
import { decodeCursor, page, pageOf, PageQuery, UUID } from '../../http/pagination.ts';
import type { NotificationsRepo } from './notifications-repo.ts';

const Notification = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  body: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

/** `GET /v1/me/notifications`: the caller's own notifications, newest first (ids are UUIDv7). */
export const notificationsRoutes: FastifyPluginAsyncTypebox<{ repo: NotificationsRepo }> = async (
  app,
  { repo },
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
          ...problems(INVALID_QUERY, { 400: ['INVALID_CURSOR'] }, AUTHENTICATED, DEPENDENCY_DOWN),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const beforeId = decodeCursor(request.query.cursor, UUID);
      const rows = await repo.listForUser(claimsOf(request).sub, {
        limit: limit + 1,
        ...(beforeId === undefined ? {} : { beforeId }),
      });
      return page(
        rows,
        limit,
        (n) => n,
        (n) => n.id,
      );
    },
  );
  return Promise.resolve();
};
