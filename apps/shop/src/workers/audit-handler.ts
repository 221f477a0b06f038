import type { Kysely } from 'kysely';
import type { Handler } from '@surge/messaging';
import type { Database } from '../db/schema.ts';

/** audit: every event of the topic, appended once (primary key = event id, SPEC G6). */
export function auditHandler(db: Kysely<Database>): Handler {
  return async (delivery) => {
    await db
      .insertInto('audit_log')
      .values({
        event_id: delivery.id,
        event_type: delivery.type,
        subject: delivery.subject ?? null,
        source: delivery.source,
        data: JSON.stringify(delivery.data),
        occurred_at: new Date(delivery.time),
        recorded_at: new Date(),
      })
      .onDuplicateKeyUpdate({ event_id: (eb) => eb.ref('event_id') })
      .execute();
  };
}
