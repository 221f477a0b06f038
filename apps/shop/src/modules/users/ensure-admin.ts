import { hashPassword, type ScryptCost } from './password.ts';
import type { User, UsersRepo } from './users-repo.ts';

/**
 * Creates the admin, or makes an existing account with that email an admin with that password.
 * Used by `npm run admin:create` and by the dev profile's seed.
 */
export async function ensureAdmin(
  ctx: { users: UsersRepo; passwordCost: ScryptCost },
  email: string,
  password: string,
): Promise<User> {
  const passwordHash = await hashPassword(password, ctx.passwordCost);
  const existing = await ctx.users.findCredentialsByEmail(email);
  if (existing) {
    await ctx.users.setRoleAndPassword(existing.id, 'admin', passwordHash);
    return { ...existing, role: 'admin' };
  }
  return ctx.users.create({ email, passwordHash, displayName: 'Admin', role: 'admin' });
}
