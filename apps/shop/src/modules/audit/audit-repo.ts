import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

export interface AuditEntry {
  eventId: string;
  eventType: string;
  subject: string | null;
  source: string;
  data: unknown;
  occurredAt: string;
}

export function createAuditRepo(db: Kysely<Database>) {
  return {
    /** Appends an event once: the primary key is its id, so a redelivery inserts nothing (G6). */
    async appendOnce(e: AuditEntry): Promise<void> {
      await db
        .insertInto('audit_log')
        .values({
          event_id: e.eventId,
          event_type: e.eventType,
          subject: e.subject,
          source: e.source,
          data: JSON.stringify(e.data),
          occurred_at: new Date(e.occurredAt),
          recorded_at: new Date(),
        })
        .onDuplicateKeyUpdate({ event_id: (eb) => eb.ref('event_id') })
        .execute();
    },
  };
}

export type AuditRepo = ReturnType<typeof createAuditRepo>;
