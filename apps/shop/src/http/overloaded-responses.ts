import type { FastifyRequest } from 'fastify';

/**
 * Requests answered 503 `OVERLOADED` (shed, or refused by a bulkhead). Under a flood there are
 * thousands a second: the metrics count them and the overload reporter logs a throttled summary,
 * so the access log and the error handler write no line for each (that would add to the load).
 */
const overloaded = new WeakSet<FastifyRequest>();

export const markOverloaded = (request: FastifyRequest): void => void overloaded.add(request);

export const wasOverloaded = (request: FastifyRequest): boolean => overloaded.has(request);
