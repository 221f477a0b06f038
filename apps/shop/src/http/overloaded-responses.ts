import type { FastifyRequest } from 'fastify';

/**
 * Requests refused to protect the service: answered 503 `OVERLOADED` (shed, or refused by a
 * bulkhead) or 429 `RATE_LIMITED`. Under a flood there are thousands a second: the metrics count
 * them (`surge_shed_requests_total`, `surge_bulkhead_rejections_total`,
 * `surge_rate_limited_total`) and throttled summaries are logged, so the access log writes no
 * line for each — a flood of refusals must not become a flood of log lines (that would add to
 * the load, and fill the disk).
 */
const refused = new WeakSet<FastifyRequest>();

export const markOverloaded = (request: FastifyRequest): void => void refused.add(request);

export const markRateLimited = (request: FastifyRequest): void => void refused.add(request);

export const wasRefusedUnderLoad = (request: FastifyRequest): boolean => refused.has(request);
