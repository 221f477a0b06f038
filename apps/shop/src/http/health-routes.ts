import type { FastifyPluginAsync } from 'fastify';
import { runHealthChecks } from '@surge/observability';
import type { Context } from '../context.ts';
import { DEGRADED_WHEN_DOWN } from './degraded-features.ts';

const HEALTH_JSON = 'application/health+json';

/**
 * `/health/live` (the process only), `/health/ready` (lifecycle + dependencies, ADR 0006:
 * a shared dependency's outage is `warn` with HTTP 200, only starting/draining is 503), `/metrics`.
 */
export const healthRoutes: FastifyPluginAsync<{ ctx: Context }> = async (app, { ctx }) => {
  app.get('/health/live', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(HEALTH_JSON).send({ status: 'pass' }),
  );

  app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    const report = await runHealthChecks(ctx.healthChecks, {
      timeoutMs: ctx.config.dependencyTimeoutMs,
      degradedWhenDown: DEGRADED_WHEN_DOWN,
    });
    const lifecycle = ctx.lifecycle.state;
    // docs/operations.md: only this instance's own state fails readiness (starting, draining, or a check
    // that is not a shared dependency); a shared outage is `warn` and keeps it in the pool.
    const status = lifecycle === 'ready' ? report.status : 'fail';
    const body = { ...report, status, ...(lifecycle === 'ready' ? {} : { output: lifecycle }) };
    if (status === 'fail') reply.header('retry-after', '1');
    // The draft maps pass and warn to a 2xx, fail to a 5xx.
    return reply
      .code(status === 'fail' ? 503 : 200)
      .type(HEALTH_JSON)
      .send(body);
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(ctx.metrics.contentType).send(await ctx.metrics.metrics()),
  );
  return Promise.resolve();
};
