import type { Kysely } from 'kysely';
import { createOutboxTable, dropOutboxTable } from '@surge/messaging';

export const up = (db: Kysely<unknown>) => createOutboxTable(db, 'outbox');
export const down = (db: Kysely<unknown>) => dropOutboxTable(db, 'outbox');
