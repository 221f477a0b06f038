import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientAddressKey } from '../../http/client-address.ts';
import { configuredPolicy, createRateLimitGuard } from '../../http/rate-limit-guard.ts';
import { defineModule } from '../feature-module.ts';
import { ensureAdmin } from './ensure-admin.ts';
import * as m0001 from './migrations/0001-users.ts';
import { passwordCostFor } from './password.ts';
import { USERS_TOPIC, UserRegistered } from './user-events.ts';
import { createUsersRepo } from './users-repo.ts';
import { usersRoutes } from './users-routes.ts';

/** users: registration (`user.registered` through the outbox) and `GET /v1/me`. */
export const usersModule = defineModule({
  name: 'users',
  migrations: { '0001-users': m0001 },
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
    return {
      repo,
      passwordCost,
      /** Creates or promotes an admin (the dev profile's seed). */
      ensureAdmin: (email: string, password: string) =>
        ensureAdmin({ users: repo, passwordCost }, email, password),
      routes: async (app: FastifyInstance) => {
        await app.register(usersRoutes, {
          users: repo,
          passwordCost,
          db: ctx.db,
          outbox: ctx.outbox,
          topic: ctx.topic,
          limitRegistration,
        });
      },
    };
  },
});
