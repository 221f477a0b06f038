import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { findOverloadedError, isTransient } from '@surge/resilience';
import { dependencyUnavailable, isDomainError } from '../errors.ts';
import { createOutageWarnings } from '../infra/outage-warnings.ts';
import { markOverloaded } from './overloaded-responses.ts';
import { problem, type Problem } from './problem.ts';

/** Fastify's own client errors, mapped to our stable codes. */
const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'BODY_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'INVALID_CONTENT_LENGTH'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'MALFORMED_JSON'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_JSON'],
  FST_ERR_BAD_URL: [400, 'BAD_URL'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'URI_TOO_LONG'],
  FST_ERR_ASYNC_CONSTRAINT: [400, 'BAD_REQUEST'],
};

const send = (reply: FastifyReply, body: Problem) =>
  reply.code(body.status).type('application/problem+json').send(body);

/** Statuses of the codes every feature may throw; modules add their own (`FeatureModule.problems`). */
export const BASE_STATUS_BY_CODE: Readonly<Record<string, number>> = {
  INVALID_CURSOR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  DEPENDENCY_UNAVAILABLE: 503,
  // Idempotency-Key (http/idempotency-hooks.ts), on every route that takes one.
  IDEMPOTENCY_KEY_MISSING: 400,
  IDEMPOTENCY_KEY_INVALID: 400,
  IDEMPOTENCY_KEY_IN_USE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  OVERLOADED: 503,
  // The client went away before its answer (request.clientSignal); nothing is sent on a closed socket.
  CLIENT_CLOSED_REQUEST: 499,
};

/**
 * Fastify's `frameworkErrors` option: errors its router raises before any hook runs (a path
 * parameter that is not valid percent-encoding, or longer than the router allows) become
 * problems too, instead of Fastify's own plain JSON.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const known = err.code === undefined ? undefined : FASTIFY_CODES[err.code];
  const [status, code] = known ?? [400, 'BAD_REQUEST'];
  // A reply is thenable; this one is sent synchronously and nothing awaits it.
  void send(reply.header('x-request-id', request.id), problem(status, code, request.id, err.message));
}

/**
 * The one place errors become HTTP: a domain error → the status of its code; schema validation → 400
 * VALIDATION_FAILED with each failing path; Fastify client errors → 4xx; a dependency outage
 * (`isTransient`) → 503 DEPENDENCY_UNAVAILABLE + Retry-After; anything else → 500 with nothing
 * internal in the body (the log has the stack).
 */
export function installErrorHandling(
  app: FastifyInstance,
  statusByCode: Readonly<Record<string, number>> = BASE_STATUS_BY_CODE,
): void {
  // A dependency outage fails every request that needs it: one warning per route and code per
  // 10 s, with how many were held back and the error as one short line — not a serialized error
  // with its stack for each of thousands of requests a second. Each answer still gets its
  // access-log line (access-log.ts: every 5xx).
  const outageWarnings = createOutageWarnings(app.log, 10_000);
  const requestFailed = (request: FastifyRequest, err: unknown, code: string) => {
    const route = request.routeOptions.url ?? 'unmatched';
    outageWarnings(err, 'request failed', { route, code, reqId: request.id }, `${route} ${code}`);
  };
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const id = request.id;
    if (isDomainError(err)) {
      const status = statusByCode[err.code];
      if (status === undefined) {
        // A code no module declared: a bug, answered like any other unexpected error.
        request.log.error({ err, code: err.code }, 'domain error code without an HTTP status');
        return send(reply, problem(500, 'INTERNAL', id, 'an unexpected error occurred'));
      }
      if (status >= 500) requestFailed(request, err, err.code);
      if (status === 401) reply.header('www-authenticate', 'Bearer');
      if (err.retryAfterSec !== undefined) reply.header('retry-after', String(err.retryAfterSec));
      return send(reply, problem(status, err.code, id, err.message, undefined, err.reason));
    }
    if (err.validation) {
      const errors = err.validation.map((v) => ({
        path: `${err.validationContext ?? 'body'}${v.instancePath || ''}`,
        message: v.message ?? 'is invalid',
      }));
      return send(
        reply,
        problem(400, 'VALIDATION_FAILED', id, `${errors.length} field(s) failed validation`, errors),
      );
    }
    // At capacity (shed, or a bulkhead's queue full or its wait over): retry shortly. Not logged
    // per request — counted and summarised by the overload reporter (ADR 0011).
    const overload = findOverloadedError(err);
    if (overload) {
      markOverloaded(request);
      reply.header('retry-after', String(Math.max(1, Math.ceil(overload.retryAfterMs / 1000))));
      return send(
        reply,
        problem(503, 'OVERLOADED', id, 'the service is at capacity; retry after Retry-After'),
      );
    }
    const known = err.code === undefined ? undefined : FASTIFY_CODES[err.code];
    if (known) return send(reply, problem(known[0], known[1], id, err.message));
    // JSON.parse failures and prototype-poisoning attempts surface as 400 SyntaxErrors.
    if (err instanceof SyntaxError || (err.statusCode === 400 && !err.code)) {
      return send(reply, problem(400, 'MALFORMED_JSON', id, 'the body is not valid JSON'));
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, problem(err.statusCode, 'BAD_REQUEST', id, err.message));
    }
    // A dependency outage no route mapped itself (a query while MySQL is down, a Redis command
    // timing out): 503 + Retry-After, never 500 (G8). Classified in one place: resilience's isTransient.
    if (isTransient(err)) {
      const outage = dependencyUnavailable('a dependency', err);
      requestFailed(request, err, outage.code);
      reply.header('retry-after', String(outage.retryAfterSec));
      return send(reply, problem(503, outage.code, id, outage.message));
    }
    request.log.error({ err }, 'unhandled error');
    return send(reply, problem(500, 'INTERNAL', id, 'an unexpected error occurred'));
  });

  // 405 needs to know which methods a path has: mirror every route into a lookup-only router.
  const methodsByPath = FindMyWay({ ignoreTrailingSlash: false });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      if (m === 'HEAD') continue;
      try {
        methodsByPath.on(m as HTTPMethod, route.url, () => {});
      } catch {
        // The same path with the same method registered twice (e.g. by a plugin): already known.
      }
    }
  });
  const methods: HTTPMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = methods.filter((m) => methodsByPath.find(m, path) !== null);
    // A route of this very method answered "not found" (a missing file under `/docs/*`): a 404,
    // not a 405 whose Allow would list the method it refuses.
    const own = request.method === 'HEAD' ? 'GET' : request.method;
    if (allowed.length > 0 && !allowed.includes(own as HTTPMethod)) {
      reply.header('allow', allowed.join(', '));
      return send(
        reply,
        problem(405, 'METHOD_NOT_ALLOWED', request.id, `${request.method} is not allowed on ${path}`),
      );
    }
    return send(reply, problem(404, 'NOT_FOUND', request.id, `no route for ${request.method} ${path}`));
  });
}
