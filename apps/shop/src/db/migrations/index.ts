import type { Migration } from 'kysely';
import * as users from './0001-users.ts';

/** Every migration, in order. Names are stable: they are recorded in `kysely_migration`. */
export const migrations: Record<string, Migration> = {
  '0001-users': users,
};
