import type { FastifyInstance } from 'fastify';
import { defineModule } from '../feature-module.ts';
import { ensureAdmin } from './ensure-admin.ts';
import * as m0001 from './migrations/0001-users.ts';
import { passwordCostFor } from './password.ts';
import { passwordHasherOf } from './password-hashing.ts';
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
    return {
      repo,
      passwordCost,
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
        });
      },
    };
  },
});
