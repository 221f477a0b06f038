import type { Redis } from 'ioredis';
import { defineScript, replyCodes } from '@surge/redis-kit';
import type { Role } from '../sessions/tokens.ts';

/** `deleted` is the one non-active state accounts have today; a disabled state would be another. */
export type AccountStatus = 'active' | 'deleted';

/** A user's role and state as of `version` (`users.account_version`). */
export interface AccountState {
  version: number;
  role: Role;
  status: AccountStatus;
}

const publishScript = defineScript(
  new URL('./publish-account-state-1.lua', import.meta.url),
  replyCodes('publish-account-state-1', { STORED: 'stored', STALE: 'stale' }),
);

const ROLES: ReadonlySet<string> = new Set<Role>(['user', 'admin']);
const STATUSES: ReadonlySet<string> = new Set<AccountStatus>(['active', 'deleted']);

/**
 * Account changes published to Redis (docs/adr/0012): a user's role and state under its account
 * version, kept for one access-token lifetime (plus a minute of clock skew) after the change —
 * after that every token issued before it has expired, and newer tokens carry the new role.
 * `app.authenticate` reads them, so a demotion or deletion reaches tokens within seconds instead
 * of at their expiry, without a MySQL query per request.
 */
export function createAccountStates(redis: Redis, opts: { databaseName: string; accessTtlSec: number }) {
  const key = (userId: string) => `surge:account:${opts.databaseName}:${userId}`;
  const ttlSec = opts.accessTtlSec + 60;
  return {
    /** Publishes `state` unless a change with an equal or higher version already was. */
    publish: (userId: string, state: AccountState) =>
      publishScript.run(redis, [key(userId)], [state.version, state.role, state.status, ttlSec]),

    /** The last published change of `userId` still in force, or `undefined` (none: tokens stand). */
    async read(userId: string): Promise<AccountState | undefined> {
      const [v, role, status] = await redis.hmget(key(userId), 'v', 'role', 'status');
      const version = Number(v);
      if (
        v === null ||
        !Number.isSafeInteger(version) ||
        !ROLES.has(role ?? '') ||
        !STATUSES.has(status ?? '')
      ) {
        return undefined;
      }
      return { version, role: role as Role, status: status as AccountStatus };
    },
  };
}

export type AccountStates = ReturnType<typeof createAccountStates>;
