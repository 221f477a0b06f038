import { defineModule } from '../feature-module.ts';
import { USERS_TOPIC } from '../users/user-events.ts';
import { auditConsumer } from './audit-consumer.ts';
import { createAuditRepo } from './audit-repo.ts';

/** audit: an append-only log of every user event, in MySQL. */
export const auditModule = defineModule({
  name: 'audit',
  create(ctx) {
    const repo = createAuditRepo(ctx.db);
    return {
      repo,
      consumers: [{ name: 'audit', topic: USERS_TOPIC, group: 'surge-audit', handle: auditConsumer(repo) }],
    };
  },
});
