import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Context } from '../context.ts';
import { apiDocs } from './api-docs.ts';
import { authPlugin } from './auth.ts';
import { frameworkErrors, installErrorHandling } from './error-handler.ts';
import { traceChildLogger } from './trace.ts';
import { strictValidatorCompiler } from './validator.ts';
import { healthRoutes } from './health-routes.ts';
import { usersRoutes } from '../modules/users/users-routes.ts';
import { sessionsRoutes } from '../modules/sessions/sessions-routes.ts';
import { notificationsRoutes } from '../modules/notifications/notifications-routes.ts';
import { catalogRoutes } from '../modules/catalog/catalog-routes.ts';
import { deadLettersRoutes } from '../modules/dead-letters/dead-letters-routes.ts';

/** Bodies above this are refused with 413 (SPEC §6). */
export const BODY_LIMIT_BYTES = 16 * 1024;

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * Builds the HTTP app on an already-created context (clients, repositories, services). Nothing
 * listens here: `main.ts` owns the socket and signals; tests call `app.inject`.
 */
export async function buildApp(ctx: Context): Promise<FastifyInstance> {
  const { config } = ctx;
  // Typed as the base logger so the instance keeps the default FastifyInstance type.
  const loggerInstance: FastifyBaseLogger = ctx.logger;
  const app = Fastify({
    loggerInstance,
    childLoggerFactory: traceChildLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    requestTimeout: 30_000,
    return503OnClosing: true,
    requestIdHeader: false,
    frameworkErrors,
    // Honour a well-formed incoming id so a request can be followed across services.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Strict validation: no type coercion of bodies, no silent removal of unknown fields.
  app.setValidatorCompiler(strictValidatorCompiler);

  installErrorHandling(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // While draining, close each keep-alive connection after its response: Node closes idle
  // sockets only once, when close starts, so sockets busy at that moment would otherwise stay
  // open until their keep-alive timeout and hold the shutdown.
  app.addHook('onSend', async (_request, reply) => {
    if (ctx.lifecycle.state === 'draining') reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    ctx.httpMetrics.observe({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      statusCode: reply.statusCode,
      durationMs: reply.elapsedTime,
    });
  });

  await app.register(apiDocs, { publicUrl: config.publicUrl });

  await app.register(healthRoutes, { ctx });
  app.get('/.well-known/jwks.json', { schema: { hide: true } }, () => ctx.tokens.jwks);

  if (config.role !== 'worker') {
    await app.register(authPlugin, { tokens: ctx.tokens, refreshStore: ctx.refreshStore });
    const shared = { users: ctx.users, passwordCost: ctx.passwordCost };
    await app.register(usersRoutes, { ...shared, db: ctx.db, outbox: ctx.outbox, topic: ctx.topic });
    await app.register(notificationsRoutes, { db: ctx.db });
    await app.register(catalogRoutes, {
      db: ctx.db,
      products: ctx.products,
      reader: ctx.productReader,
      outbox: ctx.outbox,
      topic: ctx.topic,
    });
    await app.register(deadLettersRoutes, { db: ctx.db, publisher: ctx.publisher });
    await app.register(sessionsRoutes, {
      ...shared,
      tokens: ctx.tokens,
      refreshStore: ctx.refreshStore,
      accessTtlSec: config.jwt.accessTtlSec,
    });
  }
  return app;
}
