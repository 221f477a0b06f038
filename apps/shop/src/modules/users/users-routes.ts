import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { claimsOf } from '../../http/auth.ts';
import { ProblemRef } from '../../http/openapi.ts';
import { AppError } from '../../http/problem.ts';
import { hashPassword, type ScryptCost } from './password.ts';
import { RegisterBody, UserSchema } from './schemas.ts';
import type { UsersRepo } from './users-repo.ts';

export const usersRoutes: FastifyPluginAsyncTypebox<{ users: UsersRepo; passwordCost: ScryptCost }> = async (
  app,
  { users, passwordCost },
) => {
  app.post(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Register a user',
        body: RegisterBody,
        response: { 201: UserSchema, 400: ProblemRef, 409: ProblemRef },
      },
    },
    async (request, reply) => {
      const { email, password, displayName } = request.body;
      const user = await users.create({
        email,
        displayName: displayName.trim(),
        passwordHash: await hashPassword(password, passwordCost),
      });
      request.log.info({ userId: user.id }, 'user registered');
      return reply.code(201).header('location', '/v1/me').send(user);
    },
  );

  app.get(
    '/v1/me',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['users'],
        summary: 'The authenticated user',
        security: [{ bearer: [] }],
        response: { 200: UserSchema, 401: ProblemRef },
      },
    },
    async (request) => {
      const user = await users.findById(claimsOf(request).sub);
      // A deleted account's token is as good as no token.
      if (!user) throw new AppError(401, 'UNAUTHORIZED', 'the account no longer exists');
      return user;
    },
  );
  return Promise.resolve();
};
