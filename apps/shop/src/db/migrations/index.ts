import type { Migration } from 'kysely';
import * as users from './0001-users.ts';
import * as notifications from './0002-notifications-audit-dead-letters.ts';
import * as outbox from './0003-outbox.ts';
import * as products from './0004-products.ts';

/** Every migration, in order. Names are stable: they are recorded in `kysely_migration`. */
export const migrations: Record<string, Migration> = {
  '0001-users': users,
  '0002-notifications-audit-dead-letters': notifications,
  '0003-outbox': outbox,
  '0004-products': products,
};
