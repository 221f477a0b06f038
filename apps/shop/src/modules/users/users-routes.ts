import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { claimsOf } from '../sessions/auth-plugin.ts';
import {
  AUTHENTICATED,
  DEPENDENCY_DOWN,
  RATE_LIMITED,
  VALIDATED_BODY,
  problems,
} from '../../http/openapi.ts';
import { unauthorized } from '../../errors.ts';
import type { PasswordHasher } from './password-hashing.ts';
import { RegisterBody, UserSchema } from './schemas.ts';
import type { Kysely } from 'kysely';
import type { Outbox } from '@surge/messaging';
import type { Database } from '../../db/schema.ts';
import { EVENT_SOURCE } from '../../context.ts';
import { UserRegistered } from './user-events.ts';
import { traceHeaders } from '../../http/trace.ts';
import type { UsersRepo } from './users-repo.ts';

export const usersRoutes: FastifyPluginAsyncTypebox<{
  users: UsersRepo;
  passwords: PasswordHasher;
  db: Kysely<Database>;
  outbox: Outbox;
  topic: (base: string) => string;
  /** preValidation of registration: the per-IP limit (users.module.ts). */
  limitRegistration: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}> = async (app, { users, passwords, db, outbox, topic, limitRegistration }) => {
  app.post(
    '/v1/users',
    {
      config: { priority: 'high' },
      preValidation: limitRegistration,
      schema: {
        operationId: 'registerUser',
        tags: ['users'],
        summary: 'Register a user',
        security: [],
        body: RegisterBody,
        response: {
          201: UserSchema,
          ...problems(VALIDATED_BODY, { 409: ['EMAIL_TAKEN'] }, RATE_LIMITED, DEPENDENCY_DOWN),
        },
      },
    },
    async (request, reply) => {
      const { email, password, displayName } = request.body;
      const passwordHash = await passwords.hash(password, request.clientSignal);
      // The user and its `user.registered` event commit together, or neither does (outbox).
      const user = await db.transaction().execute(async (trx) => {
        const created = await users.create({ email, displayName: displayName.trim(), passwordHash }, trx);
        const event = UserRegistered.create(
          {
            userId: created.id,
            email: created.email,
            displayName: created.displayName,
            registeredAt: created.createdAt,
          },
          { key: created.id, subject: created.id, source: EVENT_SOURCE, headers: traceHeaders(request) },
        );
        await outbox.add<Database>(trx, topic(UserRegistered.topic), event);
        return created;
      });
      outbox.notify();
      request.log.info({ userId: user.id }, 'user registered');
      return reply.code(201).header('location', '/v1/me').send(user);
    },
  );

  app.get(
    '/v1/me',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'getMe',
        tags: ['users'],
        summary: 'The authenticated user',
        security: [{ bearer: [] }],
        response: { 200: UserSchema, ...problems(AUTHENTICATED, DEPENDENCY_DOWN) },
      },
    },
    async (request) => {
      const user = await users.findById(claimsOf(request).sub);
      // A deleted account's token is as good as no token.
      if (!user) throw unauthorized('the account no longer exists');
      return user;
    },
  );
  return Promise.resolve();
};
