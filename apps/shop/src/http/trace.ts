import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** W3C trace of this request: continued from an incoming `traceparent`, else new. */
    trace: { traceId: string; traceparent: string };
  }
}

/**
 * Gives every request a W3C trace (SPEC §10): `traceId` on every log line of the request, and a
 * `traceparent` that events caused by the request carry into Kafka, so consumers join the trace.
 */
export function installTracing(app: FastifyInstance): void {
  app.decorateRequest('trace', { getter: () => ({ traceId: '', traceparent: '' }) });
  app.addHook('onRequest', (request, _reply, done) => {
    const incoming = request.headers.traceparent;
    const match = typeof incoming === 'string' ? TRACEPARENT.exec(incoming) : null;
    const traceId = match?.[1] ?? randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-${match?.[2] ?? '01'}`;
    Object.defineProperty(request, 'trace', { value: { traceId, traceparent }, enumerable: false });
    request.log = request.log.child({ traceId });
    done();
  });
}

/** Headers that carry the request's trace and id into the events it causes. */
export function traceHeaders(request: FastifyRequest): Record<string, string> {
  return { 'x-request-id': request.id, traceparent: request.trace.traceparent };
}
