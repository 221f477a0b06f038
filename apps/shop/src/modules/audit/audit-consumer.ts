import type { Handler } from '@surge/messaging';
import type { AuditRepo } from './audit-repo.ts';

/** audit: every event of the topic, appended once (primary key = event id, G6). */
export function auditConsumer(repo: AuditRepo): Handler {
  return async (delivery) => {
    await repo.appendOnce({
      eventId: delivery.id,
      eventType: delivery.type,
      subject: delivery.subject ?? null,
      source: delivery.source,
      data: delivery.data,
      occurredAt: delivery.time,
    });
  };
}
