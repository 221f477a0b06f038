import type { Kysely } from 'kysely';
import type { Handler } from '@surge/messaging';
import type { Database } from '../db/schema.ts';
import { UserRegistered } from '../events/user-events.ts';

/**
 * notifications: a welcome notification per `user.registered`. The row's id is the event id, so
 * a redelivered event changes nothing (SPEC G6).
 */
export function notificationsHandler(db: Kysely<Database>): Handler {
  return async (delivery) => {
    if (delivery.type !== UserRegistered.type) return;
    const { userId, displayName } = UserRegistered.parse(delivery.data);
    await db
      .insertInto('notifications')
      .values({
        id: delivery.id,
        user_id: userId,
        kind: 'welcome',
        title: 'Welcome to Surge',
        body: `Hi ${displayName}, your account is ready. Flash sales open here first.`,
        created_at: new Date(delivery.time),
      })
      .onDuplicateKeyUpdate({ id: (eb) => eb.ref('id') })
      .execute();
  };
}
