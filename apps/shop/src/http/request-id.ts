import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * The id of a request: a well-formed incoming `x-request-id` (so a request can be followed
 * across services), else a new UUID. Fastify's `genReqId`, and the answers written outside
 * Fastify (client-errors.ts), use this one rule.
 */
export function requestIdOf(req: Pick<IncomingMessage, 'headers'> | undefined): string {
  const incoming = req?.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
