import type { Kysely, Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Database } from '../../db/schema.ts';
import { DomainError } from '../../errors.ts';
import type { Role } from '../sessions/tokens.ts';

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  createdAt: string;
}

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  created_at: Date;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  createdAt: r.created_at.toISOString(),
});

const isDuplicateKey = (e: unknown) => (e as { errno?: number }).errno === 1062;

/** Emails compare case-insensitively: stored lower-cased and trimmed. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export function createUsersRepo(db: Kysely<Database>) {
  const columns = ['id', 'email', 'display_name', 'role', 'created_at'] as const;
  return {
    /**
     * Inserts a user, inside `trx` when given (so an outbox event commits with it); throws
     * `EMAIL_TAKEN` when the email exists.
     */
    async create(
      input: { email: string; passwordHash: string; displayName: string; role?: Role },
      trx: Kysely<Database> | Transaction<Database> = db,
    ): Promise<User> {
      const row: UserRow = {
        id: uuidv7(),
        email: normalizeEmail(input.email),
        display_name: input.displayName,
        role: input.role ?? 'user',
        created_at: new Date(),
      };
      try {
        await trx
          .insertInto('users')
          .values({ ...row, password_hash: input.passwordHash })
          .execute();
      } catch (e) {
        if (isDuplicateKey(e)) throw new DomainError('EMAIL_TAKEN', 'an account with this email exists');
        throw e;
      }
      return toUser(row);
    },

    async findById(id: string): Promise<User | undefined> {
      const row = await db.selectFrom('users').select(columns).where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },

    async findCredentialsByEmail(email: string): Promise<(User & { passwordHash: string }) | undefined> {
      const row = await db
        .selectFrom('users')
        .select([...columns, 'password_hash'])
        .where('email', '=', normalizeEmail(email))
        .executeTakeFirst();
      return row && { ...toUser(row), passwordHash: row.password_hash };
    },

    async setRoleAndPassword(id: string, role: Role, passwordHash: string): Promise<void> {
      await db.updateTable('users').set({ role, password_hash: passwordHash }).where('id', '=', id).execute();
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
