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

/** What signing an access token needs besides the user: the version of its role and state. */
export interface UserCredentials extends User {
  passwordHash: string;
  accountVersion: number;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  createdAt: r.created_at.toISOString(),
});

const isDuplicateKey = (e: unknown) => (e as { errno?: number }).errno === 1062;

/**
 * The one form emails are stored and looked up in, at registration and login alike, and compared
 * byte for byte (binary collation, migration 0005): ASCII white space trimmed, ASCII letters
 * lower-cased, nothing else folded. Registration only accepts ASCII addresses; folding more at login made strings it
 * refuses reach other people's accounts — the column's Unicode collation matched
 * `ｕnï@ÉXAMPLE.com` to `uni@example.com`, and Unicode lower-casing (or NFC) turns the Kelvin
 * sign `K` into `k` (issue 8, finding 11).
 */
export const normalizeEmail = (email: string) =>
  email.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '').replace(/[A-Z]+/g, (s) => s.toLowerCase());

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

    async findById(id: string): Promise<(User & { accountVersion: number }) | undefined> {
      const row = await db
        .selectFrom('users')
        .select([...columns, 'account_version'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { ...toUser(row), accountVersion: row.account_version };
    },

    async findCredentialsByEmail(email: string): Promise<UserCredentials | undefined> {
      const row = await db
        .selectFrom('users')
        .select([...columns, 'password_hash', 'account_version'])
        .where('email', '=', normalizeEmail(email))
        .executeTakeFirst();
      return row && { ...toUser(row), passwordHash: row.password_hash, accountVersion: row.account_version };
    },

    /** Sets role and password (`admin:create`); bumps the account version like {@link setRole}. */
    async setRoleAndPassword(id: string, role: Role, passwordHash: string): Promise<void> {
      await db
        .updateTable('users')
        .set((eb) => ({ role, password_hash: passwordHash, account_version: eb('account_version', '+', 1) }))
        .where('id', '=', id)
        .execute();
    },

    /**
     * Changes a user's role and bumps its account version, in one transaction; resolves the new
     * version, or `undefined` when no such user exists. Publish it (account-changes.ts) so tokens
     * issued before stop carrying the old role.
     */
    async setRole(id: string, role: Role): Promise<number | undefined> {
      return db.transaction().execute(async (trx) => {
        const { numUpdatedRows } = await trx
          .updateTable('users')
          .set((eb) => ({ role, account_version: eb('account_version', '+', 1) }))
          .where('id', '=', id)
          .executeTakeFirst();
        if (numUpdatedRows === 0n) return undefined;
        const row = await trx
          .selectFrom('users')
          .select('account_version')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return row.account_version;
      });
    },

    /**
     * Deletes a user; resolves the version its deletion is published under (the row's version
     * plus one), or `undefined` when no such user exists.
     */
    async delete(id: string): Promise<number | undefined> {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('users')
          .select('account_version')
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst();
        if (!row) return undefined;
        await trx.deleteFrom('users').where('id', '=', id).execute();
        return row.account_version + 1;
      });
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
