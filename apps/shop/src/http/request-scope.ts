import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../errors.ts';
import { runInRequestScope } from '../infra/request-scope.ts';
import { routePriority } from './route-priority.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `false`: the handler runs outside a request scope (no AsyncLocalStorage frame). For routes
     * whose dependency work is shared between requests, e.g. a cache load that every concurrent
     * reader of the key waits on: one client going away must not abort it.
     */
    requestScope?: false;
  }
  interface FastifyRequest {
    /**
     * Aborts when the client has gone — its connection closed before the response was sent — so
     * work done only for this answer can stop (password hashing, waiting for a connection).
     * Created on first use. Not Fastify's `request.signal`: that one aborts as soon as a POST body
     * has been read (Node closes the request stream), while the client is still waiting.
     */
    readonly clientSignal: AbortSignal;
  }
}

const kResponse = Symbol('surge.response');
const kSignal = Symbol('surge.clientSignal');
type Tracked = FastifyRequest & { [kResponse]?: FastifyReply['raw']; [kSignal]?: AbortSignal };

/**
 * The abort reason: mapped to 499 so it is never taken for a failure; Fastify sends nothing on a
 * closed connection, so no one sees it (the bulkheads count `abandoned` calls).
 */
const clientGone = () =>
  new DomainError('CLIENT_CLOSED_REQUEST', 'the client closed the connection before the response');

function clientSignalOf(request: Tracked): AbortSignal {
  const known = request[kSignal];
  if (known) return known;
  const controller = new AbortController();
  const res = request[kResponse];
  // Asked for after the answer was sent (work that outlives its request): the client did not go.
  if (res === undefined || res.writableFinished) return (request[kSignal] = controller.signal);
  if (res.destroyed) controller.abort(clientGone());
  else
    res.once('close', () => {
      if (!res.writableFinished) controller.abort(clientGone());
    });
  request[kSignal] = controller.signal;
  return controller.signal;
}

/**
 * `request.clientSignal`, and the request scope while a handler runs (infra/request-scope.ts): the
 * same signal, so the MySQL pool gate gives up on a request whose client has gone, and the route's
 * priority, so the gate keeps the last places of its queue for `high` requests (ADR 0011).
 */
export const requestScope = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('clientSignal', {
      getter(this: FastifyRequest) {
        return clientSignalOf(this);
      },
    });
    app.addHook('onRequest', (request, reply, done) => {
      (request as Tracked)[kResponse] = reply.raw;
      done();
    });
    app.addHook('onRoute', (route) => {
      if (route.config?.requestScope === false) return;
      const handler = route.handler as RouteHandlerMethod;
      const priority = routePriority(route.url, route.config?.priority);
      route.handler = function (this: FastifyInstance, request, reply) {
        return runInRequestScope({ signal: () => clientSignalOf(request), priority }, () =>
          handler.call(this, request, reply),
        );
      };
    });
    return Promise.resolve();
  },
  { name: 'surge-request-scope' },
);
