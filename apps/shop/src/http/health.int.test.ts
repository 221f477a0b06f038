import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../testing/test-app.ts';
import { throwawayKafka, throwawayRedis } from '@surge/test-support';

interface Ready {
  status: string;
  output?: string;
  checks: Record<
    string,
    Array<{
      status: string;
      observedValue: number;
      observedUnit: string;
      output?: string;
      degradedFeatures?: string[];
    }>
  >;
}

async function ready(t: TestApp) {
  const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
  assert.match(String(res.headers['content-type']), /^application\/health\+json/);
  return { code: res.statusCode, body: res.json<Ready>() };
}

/** Polls readiness until it reports `status`: outages are detected on the next probe. */
async function eventually(t: TestApp, status: 'pass' | 'warn', timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await ready(t);
  while (last.body.status !== status && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    last = await ready(t);
  }
  assert.equal(last.body.status, status, JSON.stringify(last.body));
  // draft-inadarei-api-health-check: pass and warn are 2xx.
  assert.equal(last.code, 200, JSON.stringify(last.body));
  return last.body;
}

/** A shared dependency's check during its outage: warn, its error, the features it degrades. */
function assertDegraded(body: Ready, dependency: string, features: string[]) {
  const check = body.checks[`${dependency}:responseTime`]?.[0];
  assert.equal(check?.status, 'warn', JSON.stringify(body));
  assert.ok(check.output, `${dependency} check says why`);
  for (const f of features)
    assert.ok(check.degradedFeatures?.includes(f), `${f} in ${JSON.stringify(check)}`);
}

describe('readiness: a shared outage is warn (200) and heals without a restart; only starting and draining are 503', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it('live is always 200; ready is 200 with pass and a response time for redis, mysql and kafka', async () => {
    const t = await startTestApp();
    cleanup.push(() => t.close());
    const live = await t.app.inject({ method: 'GET', url: '/health/live' });
    assert.equal(live.statusCode, 200);
    const { code, body } = await ready(t);
    assert.equal(code, 200, JSON.stringify(body));
    assert.equal(body.status, 'pass');
    for (const dep of ['redis', 'mysql', 'kafka']) {
      const check = body.checks[`${dep}:responseTime`]?.[0];
      assert.equal(check?.status, 'pass', dep);
      assert.equal(check?.observedUnit, 'ms');
      assert.ok(typeof check?.observedValue === 'number' && check.observedValue >= 0);
      assert.equal(check.degradedFeatures, undefined);
    }
  });

  it('ready is 503 while starting and while draining', async () => {
    const t = await startTestApp();
    cleanup.push(() => t.close());
    for (const state of ['starting', 'draining'] as const) {
      t.ctx.lifecycle.state = state;
      const { code, body } = await ready(t);
      assert.equal(code, 503);
      assert.equal(body.status, 'fail');
      assert.equal(body.output, state);
    }
  });

  it('Redis killed → 200 warn naming redis and what it degrades; draining still 503; Redis back → pass', async () => {
    const redis = await throwawayRedis();
    await redis.start();
    cleanup.push(() => redis.stop());
    const t = await startTestApp({ REDIS_URL: redis.url, DEPENDENCY_TIMEOUT_MS: '500' });
    cleanup.push(() => t.close());
    await eventually(t, 'pass');
    await redis.kill();
    const down = await eventually(t, 'warn');
    assertDegraded(down, 'redis', ['sessions.refresh', 'orders.placement', 'cache.l2']);
    assert.equal(down.checks['mysql:responseTime']?.[0]?.status, 'pass');
    assert.equal(down.checks['kafka:responseTime']?.[0]?.status, 'pass');
    // An instance that is shutting down leaves the pool whatever its dependencies do.
    t.ctx.lifecycle.state = 'draining';
    const draining = await ready(t);
    assert.deepEqual([draining.code, draining.body.status, draining.body.output], [503, 'fail', 'draining']);
    assertDegraded(draining.body, 'redis', ['sessions.refresh']);
    t.ctx.lifecycle.state = 'ready';
    await redis.start();
    await eventually(t, 'pass');
  });

  it(
    'Kafka stopped → 200 warn naming kafka and what it degrades; Kafka back → pass without a restart',
    { timeout: 300_000 },
    async () => {
      const kafka = throwawayKafka(19092);
      await kafka.up();
      cleanup.push(() => kafka.down());
      const t = await startTestApp({ KAFKA_BROKERS: kafka.brokers.join(','), DEPENDENCY_TIMEOUT_MS: '1000' });
      cleanup.push(() => t.close());
      await eventually(t, 'pass');
      await kafka.down();
      const down = await eventually(t, 'warn');
      assertDegraded(down, 'kafka', ['orders.placement', 'outbox.relay']);
      assert.equal(down.checks['redis:responseTime']?.[0]?.status, 'pass');
      assert.equal(down.checks['mysql:responseTime']?.[0]?.status, 'pass');
      await kafka.up();
      await eventually(t, 'pass', 60_000);
    },
  );
});
