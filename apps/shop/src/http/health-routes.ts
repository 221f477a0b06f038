import type { FastifyPluginAsync } from 'fastify';
import { runHealthChecks } from '@surge/observability';
import type { Context } from '../context.ts';

const HEALTH_JSON = 'application/health+json';

/** `/health/live` (the process only), `/health/ready` (dependencies + lifecycle), `/metrics`. */
export const healthRoutes: FastifyPluginAsync<{ ctx: Context }> = async (app, { ctx }) => {
  app.get('/health/live', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(HEALTH_JSON).send({ status: 'pass' }),
  );

  app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    const report = await runHealthChecks(ctx.healthChecks, { timeoutMs: ctx.config.dependencyTimeoutMs });
    const lifecycle = ctx.lifecycle.state;
    const ready = lifecycle === 'ready' && report.status === 'pass';
    const body = {
      ...report,
      status: ready ? 'pass' : 'fail',
      ...(lifecycle === 'ready' ? {} : { output: lifecycle }),
    };
    if (!ready) reply.header('retry-after', '1');
    return reply
      .code(ready ? 200 : 503)
      .type(HEALTH_JSON)
      .send(body);
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(ctx.metrics.contentType).send(await ctx.metrics.metrics()),
  );
  return Promise.resolve();
};
