import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { AdaptiveShedder, ShedPriority } from '@surge/resilience';
import { createOverloadReporter } from '../infra/overload-reporter.ts';
import { installErrorHandling } from './error-handler.ts';
import { loadShedding } from './load-shedding.ts';

const CONFIG = { enabled: true, utilizationThreshold: 0.9, delayThresholdMs: 50, coolDownMs: 1000 };

/** A shedder that records the priority of every request and refuses those in `refuse`. */
function fakeShedder(refuse: ReadonlySet<ShedPriority> = new Set()) {
  const asked: ShedPriority[] = [];
  let inFlight = 0;
  const shedder: AdaptiveShedder = {
    admit(priority) {
      asked.push(priority);
      if (refuse.has(priority)) return undefined;
      inFlight += 1;
      let open = true;
      return { done: () => void (open && ((open = false), (inFlight -= 1))) };
    },
    stats: () => ({ inFlight, limit: 1, overloaded: true }),
  };
  return { shedder, asked, inFlight: () => inFlight };
}

async function appWith(shedder: AdaptiveShedder) {
  const registry = new Registry();
  const app = Fastify();
  installErrorHandling(app);
  await app.register(loadShedding, {
    config: CONFIG,
    overload: createOverloadReporter(registry, pino({ level: 'silent' })),
    shedder,
  });
  app.get('/v1/things', () => ({ ok: true }));
  app.post('/v1/sessions', { config: { priority: 'high' } }, () => ({ ok: true }));
  app.get('/v1/fails', () => Promise.reject(new Error('boom')));
  app.get('/health/live', () => ({ status: 'pass' }));
  app.get('/v1/admin/switches', () => ({ items: [] }));
  await app.ready();
  return { app, registry };
}

describe('load shedding plugin', () => {
  it('answers a shed request 503 OVERLOADED problem+json with Retry-After, and counts it by route and priority', async () => {
    const { app, registry } = await appWith(fakeShedder(new Set(['normal'])).shedder);
    const r = await app.inject({ url: '/v1/things' });
    assert.equal(r.statusCode, 503);
    assert.equal(r.headers['retry-after'], '1');
    assert.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(r.json<{ code: string }>().code, 'OVERLOADED');
    const metrics = await registry.metrics();
    assert.match(metrics, /^surge_shed_requests_total\{route="\/v1\/things",priority="normal"\} 1$/m);
    assert.equal(
      (await app.inject({ method: 'POST', url: '/v1/sessions' })).statusCode,
      200,
      'high: admitted',
    );
  });

  it('asks at each route’s priority: declared, else critical for health and admin, normal for the rest', async () => {
    const fake = fakeShedder();
    const { app } = await appWith(fake.shedder);
    await app.inject({ url: '/v1/things' });
    await app.inject({ method: 'POST', url: '/v1/sessions' });
    await app.inject({ url: '/health/live' });
    await app.inject({ url: '/v1/admin/switches' });
    await app.inject({ url: '/v1/no-such-route' });
    assert.deepEqual(fake.asked, ['normal', 'high', 'critical', 'critical', 'normal']);
  });

  it('releases every admission once its response is done, errors included', async () => {
    const fake = fakeShedder();
    const { app } = await appWith(fake.shedder);
    const answers = await Promise.all([
      app.inject({ url: '/v1/things' }),
      app.inject({ url: '/v1/fails' }),
      app.inject({ url: '/v1/no-such-route' }),
    ]);
    assert.deepEqual(
      answers.map((r) => r.statusCode),
      [200, 500, 404],
    );
    assert.equal(fake.inFlight(), 0);
  });
});
