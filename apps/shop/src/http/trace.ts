import type { FastifyRequest } from 'fastify';

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Headers that carry the request's trace into the events it causes (W3C `traceparent`, SPEC §10).
 * A well-formed incoming `traceparent` is propagated; the request id always travels as well.
 */
export function traceHeaders(request: FastifyRequest): Record<string, string> {
  const incoming = request.headers.traceparent;
  return {
    'x-request-id': request.id,
    ...(typeof incoming === 'string' && TRACEPARENT.test(incoming) ? { traceparent: incoming } : {}),
  };
}
