import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  createdAt: string;
}

export function createNotificationsRepo(db: Kysely<Database>) {
  return {
    /**
     * A user's notifications, newest first (ids are UUIDv7), at most `limit`, before the id
     * `beforeId` when given (keyset pagination).
     */
    async listForUser(userId: string, opts: { limit: number; beforeId?: string }): Promise<Notification[]> {
      let q = db
        .selectFrom('notifications')
        .select(['id', 'kind', 'title', 'body', 'created_at'])
        .where('user_id', '=', userId)
        .orderBy('id', 'desc')
        .limit(opts.limit);
      if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
      const rows = await q.execute();
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        title: r.title,
        body: r.body,
        createdAt: r.created_at.toISOString(),
      }));
    },

    /** Inserts once: the id is the causing event's id, so a redelivery changes nothing (G6). */
    async addOnce(n: Notification & { userId: string }): Promise<void> {
      await db
        .insertInto('notifications')
        .values({
          id: n.id,
          user_id: n.userId,
          kind: n.kind,
          title: n.title,
          body: n.body,
          created_at: new Date(n.createdAt),
        })
        .onDuplicateKeyUpdate({ id: (eb) => eb.ref('id') })
        .execute();
    },
  };
}

export type NotificationsRepo = ReturnType<typeof createNotificationsRepo>;
