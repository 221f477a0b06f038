import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createMemoryRateLimiter, rateLimitPolicy } from '@surge/redis-kit';
import { jsonLineSink } from '@surge/test-support';
import { createAccessLog } from './access-log.ts';
import { installErrorHandling } from './error-handler.ts';
import { createRateLimitGuard } from './rate-limit-guard.ts';

/** The app's access log and error handling around one route guarded by a 2-per-minute policy. */
async function guardedApp() {
  const { sink, lines } = jsonLineSink();
  const logger = pino({ level: 'info' }, sink);
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({ loggerInstance });
  installErrorHandling(app);
  const accessLog = createAccessLog(logger, { mode: 'errors', sampleRate: 0, slowMs: 10_000 });
  app.addHook('onResponse', (request, reply, done) => {
    accessLog(request, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime);
    done();
  });
  const registry = new Registry();
  const guard = createRateLimitGuard(createMemoryRateLimiter(), registry);
  const policy = rateLimitPolicy('test-ip', 2, 60_000);
  app.get('/limited', { onRequest: (req, reply) => guard(req, reply, [{ policy, key: 'client' }]) }, () => ({
    ok: true,
  }));
  await app.ready();
  return { app, lines, registry };
}

describe('rate-limit guard: a flood of 429s is counted, not logged line by line', () => {
  it('regression: 200 refusals write one "rate limited" line and no access-log line each; the counter has all', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 5_000_000 });
    const { app, lines, registry } = await guardedApp();
    const statuses: number[] = [];
    for (let i = 0; i < 202; i++)
      statuses.push((await app.inject({ method: 'GET', url: '/limited' })).statusCode);
    assert.deepEqual([statuses[0], statuses[1], new Set(statuses.slice(2))], [200, 200, new Set([429])]);

    // Before: two lines per refusal ("rate limited" and the access log's 429), 400 in all.
    assert.deepEqual(
      lines.filter((l) => l.msg === 'rate limited').map((l) => [l.policies, l.suppressed]),
      [[['test-ip'], 0]],
    );
    assert.deepEqual(
      lines.filter((l) => l.statusCode === 429),
      [],
      'no access-log line for a refusal',
    );
    assert.match(
      await registry.getSingleMetricAsString('surge_rate_limited_total'),
      /surge_rate_limited_total\{policy="test-ip"\} 200/,
    );

    // The next interval's line says how many were held back; other 4xx are still access-logged.
    t.mock.timers.tick(10_000);
    assert.equal((await app.inject({ method: 'GET', url: '/limited' })).statusCode, 429);
    assert.deepEqual(
      lines.filter((l) => l.msg === 'rate limited').map((l) => l.suppressed),
      [0, 199],
    );
    assert.equal((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode, 404);
    assert.equal(lines.filter((l) => l.statusCode === 404).length, 1);
    await app.close();
  });
});
