import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientAddressKey } from '../../http/client-address.ts';
import { configuredPolicy, createRateLimitGuard } from '../../http/rate-limit-guard.ts';
import { defineModule } from '../feature-module.ts';
import { createAccountChanges } from './account-changes.ts';
import { createAccountStates } from './account-state.ts';
import { ensureAdmin } from './ensure-admin.ts';
import * as m0001 from './migrations/0001-users.ts';
import * as m0005 from './migrations/0005-users-email-binary.ts';
import * as m0006 from './migrations/0006-users-account-version.ts';
import { passwordCostFor } from './password.ts';
import { passwordHasherOf } from './password-hashing.ts';
import { USERS_TOPIC, UserRegistered } from './user-events.ts';
import { createUsersRepo } from './users-repo.ts';
import { usersRoutes } from './users-routes.ts';

/**
 * users: registration (`user.registered` through the outbox), `GET /v1/me`, and account changes
 * (role, deletion) published so live access tokens follow them within seconds.
 */
export const usersModule = defineModule({
  name: 'users',
  migrations: {
    '0001-users': m0001,
    '0005-users-email-binary': m0005,
    '0006-users-account-version': m0006,
  },
  events: [UserRegistered],
  topics: [{ name: USERS_TOPIC, partitions: 3 }],
  problems: { EMAIL_TAKEN: 409 },
  create(ctx) {
    const repo = createUsersRepo(ctx.db);
    const passwordCost = passwordCostFor(ctx.config.profile);
    // Registration per client IP, charged before scrypt and MySQL (docs/adr/0010-rate-limits.md).
    const guard = createRateLimitGuard(ctx.rateLimiter, ctx.metrics);
    const registerIp = configuredPolicy('register-ip', ctx.config.rateLimit.registerIp);
    const limitRegistration = (request: FastifyRequest, reply: FastifyReply) =>
      guard(request, reply, [registerIp && { policy: registerIp, key: clientAddressKey(request.ip) }]);
    const accountStates = createAccountStates(ctx.redis, {
      databaseName: ctx.databaseName,
      accessTtlSec: ctx.config.jwt.accessTtlSec,
    });
    return {
      repo,
      passwordCost,
      /** Role changes and deletions that reach live access tokens within seconds. */
      accountChanges: createAccountChanges({ users: repo, states: accountStates }),
      /** Creates or promotes an admin (the dev profile's seed). */
      ensureAdmin: (email: string, password: string) =>
        ensureAdmin({ users: repo, passwordCost }, email, password),
      routes: async (app: FastifyInstance) => {
        await app.register(usersRoutes, {
          users: repo,
          passwords: passwordHasherOf(ctx),
          db: ctx.db,
          outbox: ctx.outbox,
          topic: ctx.topic,
          limitRegistration,
        });
      },
    };
  },
});
