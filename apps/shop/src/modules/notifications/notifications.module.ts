import type { FastifyInstance } from 'fastify';
import { defineModule } from '../feature-module.ts';
import { USERS_TOPIC } from '../users/user-events.ts';
import { notificationsConsumer } from './notifications-consumer.ts';
import { createNotificationsRepo } from './notifications-repo.ts';
import { notificationsRoutes } from './notifications-routes.ts';

/** notifications: a welcome per registration (consumer), `GET /v1/me/notifications`. */
export const notificationsModule = defineModule({
  name: 'notifications',
  create(ctx) {
    const repo = createNotificationsRepo(ctx.db);
    return {
      repo,
      routes: async (app: FastifyInstance) => {
        await app.register(notificationsRoutes, { repo });
      },
      consumers: [
        {
          name: 'notifications',
          topic: USERS_TOPIC,
          group: 'surge-notifications',
          handle: notificationsConsumer(repo),
        },
      ],
    };
  },
});
