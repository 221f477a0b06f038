import type { Handler } from '@surge/messaging';
import { UserRegistered } from '../users/user-events.ts';
import type { NotificationsRepo } from './notifications-repo.ts';

/**
 * notifications: a welcome notification per `user.registered`. The row's id is the event id, so
 * a redelivered event changes nothing (G6).
 */
export function notificationsConsumer(repo: NotificationsRepo): Handler {
  return async (delivery) => {
    if (delivery.type !== UserRegistered.type) return;
    const { userId, displayName } = UserRegistered.parse(delivery.data);
    await repo.addOnce({
      id: delivery.id,
      userId,
      kind: 'welcome',
      title: 'Welcome to Surge',
      body: `Hi ${displayName}, your account is ready. Flash sales open here first.`,
      createdAt: delivery.time,
    });
  };
}
