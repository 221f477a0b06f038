import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { jsonLineSink } from '@surge/test-support';
import { installErrorHandling } from './error-handler.ts';

/** A Fastify app whose log lines are collected, with one route failing like a dependency outage. */
function appWithLog() {
  const { sink, lines } = jsonLineSink();
  // Typed as the base logger so the instance keeps the default FastifyInstance type (as app.ts).
  const loggerInstance: FastifyBaseLogger = pino({ level: 'info' }, sink);
  const app = Fastify({ loggerInstance });
  installErrorHandling(app);
  const outage = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), {
      code: 'ECONNREFUSED',
      sql: 'SELECT 1',
    });
  app.get('/a', () => Promise.reject(outage()));
  app.get('/b', () => Promise.reject(outage()));
  return { app, failed: () => lines.filter((l) => l.msg === 'request failed') };
}

describe('error handler: a dependency outage is logged once per route per interval', () => {
  it('every request answers 503 + Retry-After; the warning comes once per route and 10 s, short, with the count held back', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const { app, failed } = appWithLog();
    for (let i = 0; i < 40; i++) {
      const res = await app.inject({ method: 'GET', url: i % 4 === 0 ? '/b' : '/a' });
      assert.equal(res.statusCode, 503);
      assert.equal(res.headers['retry-after'], '1');
      assert.equal(res.json<{ code: string }>().code, 'DEPENDENCY_UNAVAILABLE');
    }
    // Before: one warning per request (40), each with the serialized error and its stack.
    assert.deepEqual(
      failed().map((l) => [l.route, l.suppressed]),
      [
        ['/b', 0],
        ['/a', 0],
      ],
    );
    const first = failed()[0] ?? {};
    assert.equal(first.code, 'DEPENDENCY_UNAVAILABLE');
    assert.match(String(first.error), /ECONNREFUSED/);
    assert.equal(first.err, undefined, 'no serialized error (stack, SQL) per request');
    assert.doesNotMatch(JSON.stringify(first), /SELECT 1|\n {4}at /);

    t.mock.timers.tick(10_000);
    await app.inject({ method: 'GET', url: '/a' });
    assert.deepEqual(
      failed().map((l) => [l.route, l.suppressed]),
      [
        ['/b', 0],
        ['/a', 0],
        ['/a', 29],
      ],
      'the next interval’s first warning counts the 29 held back on /a',
    );
    await app.close();
  });
});
