import type { FastifyInstance } from 'fastify';
import { defineModule } from '../feature-module.ts';
import { ORDERS_TOPIC } from '../orders/order-events.ts';
import { USERS_TOPIC } from '../users/user-events.ts';
import { notificationsConsumer } from './notifications-consumer.ts';
import { createNotificationsRepo } from './notifications-repo.ts';
import { notificationsRoutes } from './notifications-routes.ts';
import { orderNotifications } from './order-notifications.ts';

/**
 * notifications: a welcome per registration and a note per order event (confirmed, rejected,
 * paid, cancelled) — consumers, idempotent by event id — and `GET /v1/me/notifications`.
 */
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
        {
          name: 'order-notifications',
          topic: ORDERS_TOPIC,
          group: 'surge-order-notifications',
          handle: orderNotifications(repo, { paymentWindowMs: ctx.config.orderPaymentWindowMs }),
        },
      ],
    };
  },
});
