import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis, Result } from 'ioredis';

const ROTATE_LUA = readFileSync(new URL('./rotate-refresh-2.lua', import.meta.url), 'utf8');

/** Result of presenting a refresh token. */
export type RotateResult =
  | { kind: 'rotated'; userId: string; familyId: string; refreshToken: string }
  | { kind: 'reused'; userId: string; familyId: string }
  | { kind: 'unknown' };

declare module 'ioredis' {
  interface RedisCommander<Context> {
    surgeRotateRefresh(
      family: string,
      revoked: string,
      presented: string,
      next: string,
      revokedTtlSec: number,
    ): Result<string[], Context>;
  }
}

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
  redis.defineCommand('surgeRotateRefresh', { numberOfKeys: 2, lua: ROTATE_LUA });
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
      const [status, userId] = await redis.surgeRotateRefresh(
        familyKey(parsed.familyId),
        revokedKey(parsed.familyId),
        sha256(parsed.secret),
        sha256(secret),
        opts.accessTtlSec,
      );
      if (status === 'ROTATED' && userId) {
        return {
          kind: 'rotated',
          userId,
          familyId: parsed.familyId,
          refreshToken: `${parsed.familyId}.${secret}`,
        };
      }
      if (status === 'REUSED' && userId) return { kind: 'reused', userId, familyId: parsed.familyId };
      return { kind: 'unknown' };
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
