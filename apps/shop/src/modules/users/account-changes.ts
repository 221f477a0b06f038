import type { Role } from '../sessions/tokens.ts';
import type { AccountStates } from './account-state.ts';
import type { UsersRepo } from './users-repo.ts';

/**
 * What a role change or deletion did: `found` false when no such user exists; `published` false
 * when MySQL committed the change but Redis could not be told (it was down): tokens issued before
 * then keep their old role until they expire (≤ JWT_ACCESS_TTL_SEC). Repeat the change to publish it.
 */
export type AccountChange = { found: false } | { found: true; published: boolean; error?: unknown };

/**
 * Role changes and deletions that take effect on live access tokens within seconds: the change
 * commits in MySQL with a new account version, then is published to Redis (account-state.ts).
 * The CLI (`npm run user:set-role`, `npm run user:delete`) and tests use these; a change made by
 * hand in SQL reaches tokens only when they are refreshed (docs/operations.md).
 */
export function createAccountChanges(deps: { users: UsersRepo; states: AccountStates }) {
  const publish = async (
    userId: string,
    version: number | undefined,
    state: { role: Role; status: 'active' | 'deleted' },
  ): Promise<AccountChange> => {
    if (version === undefined) return { found: false };
    try {
      await deps.states.publish(userId, { version, ...state });
      return { found: true, published: true };
    } catch (error) {
      return { found: true, published: false, error };
    }
  };
  return {
    setRole: async (userId: string, role: Role) =>
      publish(userId, await deps.users.setRole(userId, role), { role, status: 'active' }),
    /** Deletes the account; its access tokens are refused and its sessions end at their next refresh. */
    delete: async (userId: string) =>
      publish(userId, await deps.users.delete(userId), { role: 'user', status: 'deleted' }),
  };
}

export type AccountChanges = ReturnType<typeof createAccountChanges>;
