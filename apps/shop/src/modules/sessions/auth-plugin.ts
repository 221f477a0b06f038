import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createThrottle } from '@surge/resilience';
import { forbidden, unauthorized } from '../../errors.ts';
import type { AccountLookup, AccountStateReader } from './account-state-reader.ts';
import type { AccessClaims, Role, TokenService } from './tokens.ts';
import type { RefreshStore } from './refresh-store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access token's claims, with the account's current role; set by `app.authenticate`. */
    auth: AccessClaims | null;
  }
  interface FastifyInstance {
    /** onRequest/preHandler: requires a valid, unrevoked bearer access token of an existing account, then charges the per-user budget. */
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** preHandler factory: requires `authenticate` first, then the role. */
    requireRole: (role: Role) => (request: FastifyRequest) => Promise<void>;
  }
}

/** The authenticated user's claims; for handlers behind `app.authenticate`. */
export function claimsOf(request: FastifyRequest): AccessClaims {
  if (!request.auth) throw unauthorized();
  return request.auth;
}

/**
 * The claims a request runs with: a change published after the token was issued (a higher
 * account version) wins — a deleted account is refused, a changed role replaces the token's.
 */
function effectiveClaims(claims: AccessClaims, account: AccountLookup): AccessClaims {
  if (account === undefined || account === 'unavailable' || account.version <= claims.accountVersion) {
    return claims;
  }
  if (account.status !== 'active') throw unauthorized('the account no longer exists');
  return { ...claims, role: account.role, accountVersion: account.version };
}

export const authPlugin = fp(
  async (
    app: FastifyInstance,
    opts: {
      tokens: TokenService;
      refreshStore: RefreshStore;
      accounts: AccountStateReader;
      /** The default per-user rate limit of every authenticated route (session-limits.ts). */
      limitUser?: (request: FastifyRequest, reply: FastifyReply, userId: string) => Promise<void>;
    },
  ) => {
    app.decorateRequest('auth', null);
    // Redis down: one warning per 10 s, not one per request.
    const warnings = createThrottle(10_000);
    const unavailable = (request: FastifyRequest, err: unknown) => {
      const suppressed = warnings.pass();
      if (suppressed === undefined) return;
      // docs/adr/0012: the signed, unexpired token is accepted; a revoked session or an account
      // change not seen before the outage can then last until the token's short expiry.
      request.log.warn({ err, suppressed }, 'session checks unavailable; accepting the signed token');
    };

    app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
      const header = request.headers.authorization;
      const match = header === undefined ? null : /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(header);
      if (!match?.[1]) throw unauthorized();
      const claims = await opts.tokens.verify(match[1]);
      const [revoked, account] = await Promise.all([
        opts.refreshStore.isRevoked(claims.sid).catch((err: unknown) => {
          unavailable(request, err);
          return false;
        }),
        opts.accounts.get(claims.sub),
      ]);
      if (revoked) throw unauthorized('the session has ended');
      request.auth = effectiveClaims(claims, account);
      await opts.limitUser?.(request, reply, claims.sub);
    });

    app.decorate('requireRole', (role: Role) => async (request: FastifyRequest) => {
      if (claimsOf(request).role !== role) {
        throw forbidden(`requires the ${role} role`);
      }
      return Promise.resolve();
    });
    return Promise.resolve();
  },
  { name: 'surge-auth' },
);
