import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../../errors.ts';
import type { AccessClaims, Role, TokenService } from './tokens.ts';
import type { RefreshStore } from './refresh-store.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access token's claims; set by `app.authenticate`. */
    auth: AccessClaims | null;
  }
  interface FastifyInstance {
    /** onRequest/preHandler: requires a valid, unrevoked bearer access token, then charges the per-user budget. */
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

export const authPlugin = fp(
  async (
    app: FastifyInstance,
    opts: {
      tokens: TokenService;
      refreshStore: RefreshStore;
      /** The default per-user rate limit of every authenticated route (session-limits.ts). */
      limitUser?: (request: FastifyRequest, reply: FastifyReply, userId: string) => Promise<void>;
    },
  ) => {
    app.decorateRequest('auth', null);

    app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
      const header = request.headers.authorization;
      const match = header === undefined ? null : /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(header);
      if (!match?.[1]) throw unauthorized();
      const claims = await opts.tokens.verify(match[1]);
      let revoked = false;
      try {
        revoked = await opts.refreshStore.isRevoked(claims.sid);
      } catch (err) {
        // Redis down: accept the signed, unexpired token (docs/architecture.md, degradation: users keep working). A revoked
        // token can then live until its short expiry; the trade-off is in docs/adr/0003.
        request.log.warn({ err }, 'session revocation check unavailable; accepting token');
      }
      if (revoked) throw unauthorized('the session has ended');
      request.auth = claims;
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
