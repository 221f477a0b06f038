import type { Migration } from 'kysely';
import * as shared from './0002-notifications-audit-dead-letters.ts';
import * as outbox from './0003-outbox.ts';

/**
 * Platform migrations: the outbox (infrastructure) and one migration that created the
 * notifications, audit and dead-letter tables before features became modules (its name is
 * recorded in `kysely_migration` and cannot change). New tables go in their module's
 * `migrations/` folder, numbered after the highest existing name.
 */
export const platformMigrations: Record<string, Migration> = {
  '0002-notifications-audit-dead-letters': shared,
  '0003-outbox': outbox,
};
