import type { FastifyInstance } from 'fastify';
import { defineModule } from '../feature-module.ts';
import { passwordHasherOf } from '../users/password-hashing.ts';
import { createUsersRepo } from '../users/users-repo.ts';
import { authPlugin } from './auth-plugin.ts';
import { createRefreshStore } from './refresh-store.ts';
import { sessionsRoutes } from './sessions-routes.ts';
import { createTokenService, generateKeyPem } from './tokens.ts';

/**
 * sessions: login, refresh rotation with reuse detection, logout — and authentication for every
 * other feature (`app.authenticate`, `app.requireRole`), since verifying a token means checking
 * that its session was not revoked.
 */
export const sessionsModule = defineModule({
  name: 'sessions',
  problems: { INVALID_CREDENTIALS: 401, INVALID_REFRESH_TOKEN: 401 },
  async create(ctx) {
    const { jwt } = ctx.config;
    // The config only lets keys be empty outside production: a per-process key pair then.
    const keys = jwt.privateKeyPem === '' ? await generateKeyPem() : jwt;
    const tokens = await createTokenService({ ...jwt, ...keys });
    const refreshStore = createRefreshStore(ctx.redis, jwt);
    return {
      tokens,
      refreshStore,
      appPlugin: async (app: FastifyInstance) => {
        await app.register(authPlugin, { tokens, refreshStore });
        app.get('/.well-known/jwks.json', { schema: { hide: true } }, () => tokens.jwks);
      },
      routes: async (app: FastifyInstance) => {
        await app.register(sessionsRoutes, {
          users: createUsersRepo(ctx.db),
          tokens,
          refreshStore,
          passwords: passwordHasherOf(ctx),
          accessTtlSec: jwt.accessTtlSec,
        });
      },
    };
  },
});
