import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the MySQL tables; migrations in ./migrations are the source of truth. */
export interface Database {
  users: UsersTable;
  kysely_migration: { name: string; timestamp: string };
}

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  display_name: string;
  role: 'user' | 'admin';
  created_at: ColumnType<Date, Date, never>;
  /** Monotonic row counter: a stable keyset for admin listings. */
  seq: Generated<number>;
}
