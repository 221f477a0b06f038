import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { claimsOf } from './auth-plugin.ts';
import {
  AUTHENTICATED,
  DEPENDENCY_DOWN,
  PARSED_BODY,
  problems,
  RATE_LIMITED,
  VALIDATED_BODY,
} from '../../http/openapi.ts';
import { DomainError, dependencyUnavailable } from '../../errors.ts';
import { hashPassword } from '../users/password.ts';
import type { PasswordHasher } from '../users/password-hashing.ts';
import type { UsersRepo } from '../users/users-repo.ts';
import type { RefreshStore } from './refresh-store.ts';
import type { SessionLimits } from './session-limits.ts';
import type { TokenService } from './tokens.ts';

const TokenPair = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.Union([Type.String(), Type.Null()], {
    description: 'null only when the session store (Redis) is down: login then works without refresh',
  }),
  expiresIn: Type.Integer({ description: 'access token lifetime in seconds' }),
  tokenType: Type.Literal('Bearer'),
});

const invalidRefreshToken = () => new DomainError('INVALID_REFRESH_TOKEN', 'the refresh token is not valid');

const invalidCredentials = () => new DomainError('INVALID_CREDENTIALS', 'the email or password is incorrect');

export const sessionsRoutes: FastifyPluginAsyncTypebox<{
  users: UsersRepo;
  tokens: TokenService;
  refreshStore: RefreshStore;
  passwords: PasswordHasher;
  accessTtlSec: number;
  limits: SessionLimits;
}> = async (app, { users, tokens, refreshStore, passwords, accessTtlSec, limits }) => {
  // Unknown emails are checked against this hash too, so both failures take the same time.
  const decoyHash = await hashPassword(crypto.randomUUID(), passwords.cost);

  app.post(
    '/v1/sessions',
    {
      preValidation: limits.login,
      onResponse: limits.loginDone,
      config: { priority: 'high' },
      schema: {
        operationId: 'createSession',
        tags: ['sessions'],
        summary: 'Log in',
        security: [],
        body: Type.Object(
          { email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 128 }) },
          { additionalProperties: false },
        ),
        response: {
          200: TokenPair,
          ...problems(VALIDATED_BODY, { 401: ['INVALID_CREDENTIALS'] }, RATE_LIMITED, DEPENDENCY_DOWN),
        },
      },
    },
    async (request) => {
      const found = await users.findCredentialsByEmail(request.body.email);
      const ok = await passwords.verify(
        request.body.password,
        found?.passwordHash ?? decoyHash,
        request.clientSignal,
      );
      if (!found || !ok) throw invalidCredentials();
      let session: { familyId: string; refreshToken: string | null };
      try {
        session = await refreshStore.issue(found.id);
      } catch (err) {
        // docs/architecture.md, degradation: with Redis down, login still works; the session just cannot be refreshed.
        request.log.warn({ err }, 'session store unavailable; issuing an access token without refresh');
        session = { familyId: crypto.randomUUID(), refreshToken: null };
      }
      const accessToken = await tokens.sign({
        sub: found.id,
        role: found.role,
        sid: session.familyId,
        accountVersion: found.accountVersion,
      });
      return {
        accessToken,
        refreshToken: session.refreshToken,
        expiresIn: accessTtlSec,
        tokenType: 'Bearer' as const,
      };
    },
  );

  app.post(
    '/v1/sessions/refresh',
    {
      preValidation: limits.refresh,
      config: { priority: 'high' },
      schema: {
        operationId: 'refreshSession',
        tags: ['sessions'],
        summary: 'Exchange a refresh token for a new pair (rotation; reuse revokes the session)',
        security: [],
        body: Type.Object({ refreshToken: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
        response: {
          200: TokenPair,
          ...problems(VALIDATED_BODY, { 401: ['INVALID_REFRESH_TOKEN'] }, DEPENDENCY_DOWN, RATE_LIMITED),
        },
      },
    },
    async (request) => {
      let result;
      try {
        result = await refreshStore.rotate(request.body.refreshToken);
      } catch (err) {
        throw dependencyUnavailable('the session store', err);
      }
      if (result.kind === 'reused') {
        request.log.warn(
          { userId: result.userId, sessionId: result.familyId },
          'refresh token reuse: session revoked',
        );
      }
      if (result.kind !== 'rotated' && result.kind !== 'retried') throw invalidRefreshToken();
      const user = await users.findById(result.userId);
      if (!user) {
        // A deleted account: end the session now, not when it expires (docs/adr/0012).
        await refreshStore.revoke(result.familyId).catch((err: unknown) => {
          request.log.warn(
            { err, sessionId: result.familyId },
            'could not revoke the session of a deleted account',
          );
        });
        throw invalidRefreshToken();
      }
      const accessToken = await tokens.sign({
        sub: user.id,
        role: user.role,
        sid: result.familyId,
        accountVersion: user.accountVersion,
      });
      return {
        accessToken,
        refreshToken: result.refreshToken,
        expiresIn: accessTtlSec,
        tokenType: 'Bearer' as const,
      };
    },
  );

  app.delete(
    '/v1/sessions/current',
    {
      onRequest: app.authenticate,
      schema: {
        operationId: 'deleteCurrentSession',
        tags: ['sessions'],
        summary: 'Log out: ends the session, its refresh token and its access tokens',
        security: [{ bearer: [] }],
        response: { 204: Type.Null(), ...problems(PARSED_BODY, AUTHENTICATED, DEPENDENCY_DOWN) },
      },
    },
    async (request, reply) => {
      try {
        await refreshStore.revoke(claimsOf(request).sid);
      } catch (err) {
        throw dependencyUnavailable('the session store', err);
      }
      return reply.code(204).send(null);
    },
  );
};
