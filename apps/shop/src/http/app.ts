import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createHttpMetrics } from '@surge/observability';
import type { Context } from '../context.ts';
import type { Feature } from '../modules/feature-module.ts';
import { apiDocs } from './api-docs.ts';
import { createAccessLog } from './access-log.ts';
import { requestScope } from './request-scope.ts';
import { answerExpectation, clientErrorHandler, requireHost } from './client-errors.ts';
import { BASE_STATUS_BY_CODE, frameworkErrors, installErrorHandling } from './error-handler.ts';
import { healthRoutes } from './health-routes.ts';
import { loadShedding } from './load-shedding.ts';
import { requestIdOf } from './request-id.ts';
import { lazyRequestLogger } from './request-logger.ts';
import { strictValidatorCompiler } from './validator.ts';

/** Bodies above this are refused with 413 (docs/api.md). */
export const BODY_LIMIT_BYTES = 16 * 1024;

export interface AppOptions {
  /** The features whose plugins and routes this app serves (api role), in registration order. */
  features: readonly Feature[];
  /** HTTP status of each domain error code the features declare. */
  problems: Readonly<Record<string, number>>;
}

/**
 * Builds the HTTP app on the infrastructure and the features. Nothing listens here: `main.ts`
 * owns the socket and signals; tests call `app.inject`.
 */
export async function buildApp(ctx: Context, opts: AppOptions): Promise<FastifyInstance> {
  const { config } = ctx;
  const timeouts = config.httpServer;
  // Typed as the base logger so the instance keeps the default FastifyInstance type.
  const loggerInstance: FastifyBaseLogger = ctx.logger;
  const app = Fastify({
    loggerInstance,
    // A request's logger is built only when something logs through it (most requests never do).
    childLoggerFactory: lazyRequestLogger,
    // One access-log line per request, written by access-log.ts in `onResponse` — not Fastify's
    // two lines ("incoming request", "request completed") per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    // Stalled clients are cut (issue 8, finding 7; ADR 0015). Fastify sets `requestTimeout` and
    // `keepAliveTimeout` on the server after creating it; `headersTimeout` it does not pass at all,
    // so Node kept its default of 60 s, and a headers timeout above the request timeout makes Node
    // swap the two: a stalled body was cut only after 60–90 s. Both go to the constructor too.
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: timeouts.connectionsCheckIntervalMs,
      // requireHost (below) answers a missing Host as problem+json; Node's check sent an empty 400.
      requireHostHeader: false,
    },
    return503OnClosing: true,
    requestIdHeader: false,
    frameworkErrors,
    clientErrorHandler,
    genReqId: requestIdOf,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.server.on('checkExpectation', answerExpectation);
  // Strict validation: no type coercion of bodies, no silent removal of unknown fields.
  app.setValidatorCompiler(strictValidatorCompiler);
  installErrorHandling(app, { ...BASE_STATUS_BY_CODE, ...opts.problems });

  // LOG_LEVEL=debug also logs each request as it arrives (decided once: nothing per request else).
  const logArrivals = ctx.logger.isLevelEnabled('debug');
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (logArrivals) request.log.debug({ method: request.method, url: request.url }, 'incoming request');
    done();
  });
  app.addHook('onRequest', requireHost);
  // While draining, close each keep-alive connection after its response: Node closes idle
  // sockets only once, when close starts, so sockets busy at that moment would otherwise stay
  // open until their keep-alive timeout and hold the shutdown.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (ctx.lifecycle.state === 'draining') reply.header('connection', 'close');
    done(null, payload);
  });
  const httpMetrics = createHttpMetrics(ctx.metrics);
  const accessLog = createAccessLog(ctx.logger, config.accessLog);
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpMetrics.observe(request.method, route, reply.statusCode, reply.elapsedTime);
    accessLog(request, route, reply.statusCode, reply.elapsedTime);
    done();
  });

  // Before any route, so their onRoute hooks see every route; shedding comes first in a request.
  await app.register(loadShedding, { config: config.loadShedding, overload: ctx.overload });
  await app.register(requestScope);
  await app.register(apiDocs, { publicUrl: config.publicUrl });
  await app.register(healthRoutes, { ctx });

  if (config.role !== 'worker') {
    for (const f of opts.features) if (f.appPlugin) await app.register(fp(f.appPlugin));
    for (const f of opts.features) if (f.routes) await app.register(f.routes);
  }
  return app;
}
