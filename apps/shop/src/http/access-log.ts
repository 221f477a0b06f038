import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { wasRefusedUnderLoad } from './overloaded-responses.ts';
import { traceIdOf } from './trace.ts';

/** Probes are polled every few seconds by every load balancer and scraper: never logged when fine. */
const PROBES = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * One access-log line per request that deserves one: every error (4xx, 5xx), every slow request
 * (≥ `slowMs`), and — by `mode` — every other request (`all`), a random `sampleRate` share of them
 * (`sampled`) or none (`errors`). Probes are logged only when they fail; requests refused under
 * load (503 `OVERLOADED`, 429 `RATE_LIMITED`) never, one by one. The line carries route
 * template, method, status, duration, request and trace id.
 */
export function createAccessLog(logger: Logger, opts: Config['accessLog']) {
  const keep =
    opts.mode === 'all'
      ? () => true
      : opts.mode === 'sampled'
        ? () => Math.random() < opts.sampleRate
        : () => false;
  return (request: FastifyRequest, route: string, statusCode: number, durationMs: number): void => {
    const slow = durationMs >= opts.slowMs;
    if (statusCode < 400 && !slow && (PROBES.has(route) || !keep())) return;
    if (wasRefusedUnderLoad(request)) return; // counted and summarised instead (overloaded-responses.ts)
    const level = statusCode >= 500 ? 'error' : slow ? 'warn' : 'info';
    logger[level](
      {
        reqId: request.id,
        traceId: traceIdOf(request),
        method: request.method,
        route,
        statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
      },
      slow ? 'slow request' : 'request',
    );
  };
}
