import type { FastifyInstance } from 'fastify';
import { createThrottle } from '@surge/resilience';
import { defineModule } from '../feature-module.ts';
import { createAccountStates } from '../users/account-state.ts';
import { passwordHasherOf } from '../users/password-hashing.ts';
import { createUsersRepo } from '../users/users-repo.ts';
import { createRateLimitGuard } from '../../http/rate-limit-guard.ts';
import { createAccountStateReader } from './account-state-reader.ts';
import { authPlugin } from './auth-plugin.ts';
import { loadOrCreateDevKeys } from './dev-keys.ts';
import { createRefreshStore } from './refresh-store.ts';
import { createSessionLimits } from './session-limits.ts';
import { sessionsRoutes } from './sessions-routes.ts';
import { createTokenService } from './tokens.ts';

/**
 * sessions: login, refresh rotation with reuse detection, logout — and authentication for every
 * other feature (`app.authenticate`, `app.requireRole`), since verifying a token means checking
 * that its session was not revoked and its account not changed since (docs/adr/0003, 0012).
 */
export const sessionsModule = defineModule({
  name: 'sessions',
  problems: { INVALID_CREDENTIALS: 401, INVALID_REFRESH_TOKEN: 401 },
  async create(ctx) {
    const { jwt } = ctx.config;
    // The config only lets keys be empty outside production: then the pair every local instance shares.
    const keys = jwt.privateKeyPem === '' ? await loadOrCreateDevKeys(jwt.devKeysDir) : jwt;
    const tokens = await createTokenService({ ...jwt, ...keys });
    const refreshStore = createRefreshStore(ctx.redis, jwt);
    const limits = createSessionLimits({
      guard: createRateLimitGuard(ctx.rateLimiter, ctx.metrics),
      limits: ctx.config.rateLimit,
      redis: ctx.redis,
      prefix: `surge:rl:{${ctx.databaseName}}:`,
      knownForSec: jwt.refreshTtlSec,
    });
    const readErrors = createThrottle(10_000);
    const accounts = createAccountStateReader(
      createAccountStates(ctx.redis, { databaseName: ctx.databaseName, accessTtlSec: jwt.accessTtlSec }),
      {
        cacheMs: ctx.config.accountStateCacheMs,
        onError: (err) => {
          const suppressed = readErrors.pass();
          if (suppressed !== undefined) {
            ctx.logger.warn({ err, suppressed }, 'account states unavailable; using the last known ones');
          }
        },
      },
    );
    return {
      tokens,
      refreshStore,
      accounts,
      appPlugin: async (app: FastifyInstance) => {
        await app.register(authPlugin, { tokens, refreshStore, accounts, limitUser: limits.user });
        app.get('/.well-known/jwks.json', { schema: { hide: true } }, () => tokens.jwks);
      },
      routes: async (app: FastifyInstance) => {
        await app.register(sessionsRoutes, {
          users: createUsersRepo(ctx.db),
          tokens,
          refreshStore,
          passwords: passwordHasherOf(ctx),
          accessTtlSec: jwt.accessTtlSec,
          limits,
        });
      },
    };
  },
});
