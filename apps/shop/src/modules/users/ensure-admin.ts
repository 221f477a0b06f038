import { IsEmail } from 'typebox/format';
import { hashPassword, type ScryptCost } from './password.ts';
import type { User, UsersRepo } from './users-repo.ts';

/**
 * Creates the admin, or makes an existing account with that email an admin with that password.
 * Used by `npm run admin:create` and by the dev profile's seed. Refuses (TypeError) an email
 * registration would refuse, and a password that is not an RFC 8265 OpaqueString: an admin's
 * credentials follow the same rules as everyone's (issue 8, finding 11).
 */
export async function ensureAdmin(
  ctx: { users: UsersRepo; passwordCost: ScryptCost },
  email: string,
  password: string,
): Promise<User> {
  if (!IsEmail(email))
    throw new TypeError(`${JSON.stringify(email)} is not an email address registration accepts`);
  const passwordHash = await hashPassword(password, ctx.passwordCost);
  const existing = await ctx.users.findCredentialsByEmail(email);
  if (existing) {
    await ctx.users.setRoleAndPassword(existing.id, 'admin', passwordHash);
    const { id, displayName, createdAt } = existing;
    return { id, email: existing.email, displayName, createdAt, role: 'admin' };
  }
  return ctx.users.create({ email, passwordHash, displayName: 'Admin', role: 'admin' });
}
