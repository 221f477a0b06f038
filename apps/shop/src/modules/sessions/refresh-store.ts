import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { defineScript, replyCodes } from '@surge/redis-kit';

/** Result of presenting a refresh token. */
export type RotateResult =
  | { kind: 'rotated'; userId: string; familyId: string; refreshToken: string }
  | { kind: 'reused'; userId: string; familyId: string }
  | { kind: 'unknown' };

const rotateStatus = replyCodes('rotate-refresh-2', {
  ROTATED: 'rotated',
  REUSED: 'reused',
  UNKNOWN: 'unknown',
});

/** `rotate-refresh-2.lua`: `[status, userId?]`; a known family always comes with its user id. */
const rotateScript = defineScript(new URL('./rotate-refresh-2.lua', import.meta.url), (reply) => {
  const [status, userId] = Array.isArray(reply) ? (reply as unknown[]) : [reply];
  const kind = rotateStatus(status);
  if (kind !== 'unknown' && typeof userId !== 'string') throw new TypeError('rotate-refresh-2: no userId');
  return kind === 'unknown' ? { kind } : { kind, userId: userId as string };
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const familyKey = (id: string) => `surge:{rtf:${id}}`;
const revokedKey = (id: string) => `surge:{rtf:${id}}:revoked`;
const FAMILY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Parses `<familyId>.<secret>`; the family id is a random UUIDv4 so it cannot be guessed. */
function parse(token: string): { familyId: string; secret: string } | undefined {
  const dot = token.indexOf('.');
  const familyId = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  if (dot < 0 || !FAMILY_ID.test(familyId) || !/^[\w-]{43}$/.test(secret)) return undefined;
  return { familyId, secret };
}

/**
 * Refresh tokens stored hashed in Redis, one hash per session family. Each refresh rotates the
 * token; presenting a rotated-away token revokes the family (reuse detection), and the revoked
 * mark lets access-token checks refuse the family's outstanding access tokens too.
 */
export function createRefreshStore(redis: Redis, opts: { refreshTtlSec: number; accessTtlSec: number }) {
  const newSecret = () => randomBytes(32).toString('base64url');

  return {
    /** Starts a session family for a user and returns its first refresh token. */
    async issue(userId: string): Promise<{ familyId: string; refreshToken: string }> {
      const familyId = randomUUID();
      const secret = newSecret();
      await redis
        .multi()
        .hset(familyKey(familyId), { userId, current: sha256(secret) })
        .expire(familyKey(familyId), opts.refreshTtlSec)
        .exec();
      return { familyId, refreshToken: `${familyId}.${secret}` };
    },

    async rotate(token: string): Promise<RotateResult> {
      const parsed = parse(token);
      if (!parsed) return { kind: 'unknown' };
      const secret = newSecret();
      const result = await rotateScript.run(
        redis,
        [familyKey(parsed.familyId), revokedKey(parsed.familyId)],
        [sha256(parsed.secret), sha256(secret), opts.accessTtlSec],
      );
      if (result.kind === 'unknown') return result;
      const { familyId } = parsed;
      if (result.kind === 'reused') return { kind: 'reused', userId: result.userId, familyId };
      return { kind: 'rotated', userId: result.userId, familyId, refreshToken: `${familyId}.${secret}` };
    },

    /** Ends a session family (logout): its refresh token stops working and so do its access tokens. */
    async revoke(familyId: string): Promise<void> {
      await redis
        .multi()
        .del(familyKey(familyId))
        .set(revokedKey(familyId), '1', 'EX', opts.accessTtlSec)
        .exec();
    },

    async isRevoked(familyId: string): Promise<boolean> {
      return (await redis.exists(revokedKey(familyId))) === 1;
    },
  };
}

export type RefreshStore = ReturnType<typeof createRefreshStore>;
