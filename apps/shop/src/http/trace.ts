import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/;
const UUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;

interface Trace {
  traceId: string;
  flags: string;
}

const traces = new WeakMap<IncomingMessage, Trace>();
const hex32 = (uuid: string) => uuid.replace(UUID, '$1$2$3$4$5');

/**
 * The request's trace: continued from an incoming `traceparent`; else the request id (a UUID,
 * 122 random bits) is the trace id, so the hot path draws no extra randomness.
 */
function traceOf(raw: IncomingMessage, requestId: string): Trace {
  let trace = traces.get(raw);
  if (trace) return trace;
  const incoming = raw.headers.traceparent;
  const match = typeof incoming === 'string' ? TRACEPARENT.exec(incoming) : null;
  const traceId = match?.[1] ?? (UUID.test(requestId) ? hex32(requestId) : hex32(randomUUID()));
  trace = { traceId, flags: match?.[2] ?? '01' };
  traces.set(raw, trace);
  return trace;
}

/** The trace id of a raw request whose request id is `requestId`. */
export const traceIdOfRaw = (raw: IncomingMessage, requestId: string): string =>
  traceOf(raw, requestId).traceId;

/** The trace id of a request. */
export const traceIdOf = (request: FastifyRequest): string => traceOf(request.raw, request.id).traceId;

/**
 * Headers that carry the request's trace and id into the events it causes: the same trace id
 * and a new span id (computed only when an event is written, not per request).
 */
export function traceHeaders(request: FastifyRequest): Record<string, string> {
  const { traceId, flags } = traceOf(request.raw, request.id);
  const spanId = hex32(randomUUID()).slice(0, 16);
  return { 'x-request-id': request.id, traceparent: `00-${traceId}-${spanId}-${flags}` };
}
