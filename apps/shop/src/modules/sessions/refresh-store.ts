import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { defineScript, replyCodes } from '@surge/redis-kit';
import { openSuccessor, sealSuccessor } from './successor-box.ts';

/** Result of presenting a refresh token. */
export type RotateResult =
  | { kind: 'rotated'; userId: string; familyId: string; refreshToken: string }
  /** The previous token again within the grace (a retry): the same new token as the first time. */
  | { kind: 'retried'; userId: string; familyId: string; refreshToken: string }
  | { kind: 'reused'; userId: string; familyId: string }
  | { kind: 'unknown' };

const rotateStatus = replyCodes('rotate-refresh-3', {
  ROTATED: 'rotated',
  RETRIED: 'retried',
  REUSED: 'reused',
  UNKNOWN: 'unknown',
});

type ScriptResult =
  | { kind: 'rotated' | 'reused'; userId: string }
  | { kind: 'retried'; userId: string; successor: string }
  | { kind: 'unknown' };

/** `rotate-refresh-3.lua`: `[status, userId?, successor?]`; a known family always comes with its user id. */
const rotateScript = defineScript(
  new URL('./rotate-refresh-3.lua', import.meta.url),
  (reply): ScriptResult => {
    const [status, userId, successor] = Array.isArray(reply) ? (reply as unknown[]) : [reply];
    const kind = rotateStatus(status);
    if (kind === 'unknown') return { kind };
    if (typeof userId !== 'string') throw new TypeError('rotate-refresh-3: no userId');
    if (kind !== 'retried') return { kind, userId };
    if (typeof successor !== 'string') throw new TypeError('rotate-refresh-3: no successor');
    return { kind, userId, successor };
  },
);

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const familyKey = (id: string) => `surge:{rtf:${id}}`;
const revokedKey = (id: string) => `surge:{rtf:${id}}:revoked`;
const spentKey = (id: string) => `surge:{rtf:${id}}:spent`;
const FAMILY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Spent secrets a family remembers for reuse detection: 128 rotations (~32 h of continuous use at
 * the default 15-minute access-token lifetime), so a family costs at most ~10 KB of Redis (a
 * listpack-encoded sorted set). An older secret presented again is answered like one never issued.
 */
export const REMEMBERED_SPENT_SECRETS = 128;

/** Parses `<familyId>.<secret>`; the family id is a random UUIDv4 so it cannot be guessed. */
function parse(token: string): { familyId: string; secret: string } | undefined {
  const dot = token.indexOf('.');
  const familyId = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  if (dot < 0 || !FAMILY_ID.test(familyId) || !/^[\w-]{43}$/.test(secret)) return undefined;
  return { familyId, secret };
}

/**
 * Refresh tokens stored hashed in Redis, one hash per session family (docs/adr/0003, 0012). Each
 * refresh rotates the token. Presenting the previous token again within `graceSec` returns the
 * same successor (a retry after a lost response or a 503 must not log the user out). Presenting a
 * token the family issued and rotated away after that revokes the family (reuse detection), and
 * the revoked mark lets access-token checks refuse its outstanding access tokens too. A secret the
 * family never issued changes nothing: knowing a session id (`sid`) is not enough to end it.
 */
export function createRefreshStore(
  redis: Redis,
  opts: { refreshTtlSec: number; accessTtlSec: number; refreshGraceSec: number },
) {
  const newSecret = () => randomBytes(32).toString('base64url');

  return {
    /** Starts a session family for a user and returns its first refresh token. */
    async issue(userId: string): Promise<{ familyId: string; refreshToken: string }> {
      const familyId = randomUUID();
      const secret = newSecret();
      await redis
        .multi()
        .hset(familyKey(familyId), { userId, current: sha256(secret), gen: 0 })
        .expire(familyKey(familyId), opts.refreshTtlSec)
        .exec();
      return { familyId, refreshToken: `${familyId}.${secret}` };
    },

    async rotate(token: string): Promise<RotateResult> {
      const parsed = parse(token);
      if (!parsed) return { kind: 'unknown' };
      const { familyId } = parsed;
      const secret = newSecret();
      const result = await rotateScript.run(
        redis,
        [familyKey(familyId), revokedKey(familyId), spentKey(familyId)],
        [
          sha256(parsed.secret),
          sha256(secret),
          sealSuccessor(parsed.secret, familyId, secret),
          opts.accessTtlSec,
          opts.refreshGraceSec * 1000,
          REMEMBERED_SPENT_SECRETS,
        ],
      );
      switch (result.kind) {
        case 'unknown':
          return result;
        case 'reused':
          return { kind: 'reused', userId: result.userId, familyId };
        case 'rotated':
          return { kind: 'rotated', userId: result.userId, familyId, refreshToken: `${familyId}.${secret}` };
        case 'retried': {
          const successor = openSuccessor(parsed.secret, familyId, result.successor);
          // Only the holder of the previous secret can open it; anything else is not this family's.
          if (successor === undefined) return { kind: 'unknown' };
          return {
            kind: 'retried',
            userId: result.userId,
            familyId,
            refreshToken: `${familyId}.${successor}`,
          };
        }
      }
    },

    /** Ends a session family (logout): its refresh token stops working and so do its access tokens. */
    async revoke(familyId: string): Promise<void> {
      await redis
        .multi()
        .del(familyKey(familyId), spentKey(familyId))
        .set(revokedKey(familyId), '1', 'EX', opts.accessTtlSec)
        .exec();
    },

    async isRevoked(familyId: string): Promise<boolean> {
      return (await redis.exists(revokedKey(familyId))) === 1;
    },
  };
}

export type RefreshStore = ReturnType<typeof createRefreshStore>;
