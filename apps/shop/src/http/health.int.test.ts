import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../testing/test-app.ts';
import { throwawayKafka, throwawayRedis } from '@surge/test-support';

interface Ready {
  status: string;
  output?: string;
  checks: Record<
    string,
    Array<{ status: string; observedValue: number; observedUnit: string; output?: string }>
  >;
}

async function ready(t: TestApp) {
  const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
  assert.match(String(res.headers['content-type']), /^application\/health\+json/);
  return { code: res.statusCode, body: res.json<Ready>() };
}

/** Polls readiness until `code` or the deadline: outages are detected on the next probe. */
async function eventually(t: TestApp, code: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await ready(t);
  while (last.code !== code && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    last = await ready(t);
  }
  assert.equal(last.code, code, JSON.stringify(last.body));
  return last.body;
}

describe('readiness reports each dependency and heals without a restart', () => {
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
    }
  });

  it('ready is 503 while starting and while draining', async () => {
    const t = await startTestApp();
    cleanup.push(() => t.close());
    for (const state of ['starting', 'draining'] as const) {
      t.ctx.lifecycle.state = state;
      const { code, body } = await ready(t);
      assert.equal(code, 503);
      assert.equal(body.output, state);
    }
  });

  it('Redis killed → ready 503 naming redis, fast; Redis back → 200 without a restart', async () => {
    const redis = await throwawayRedis();
    await redis.start();
    cleanup.push(() => redis.stop());
    const t = await startTestApp({ REDIS_URL: redis.url, DEPENDENCY_TIMEOUT_MS: '500' });
    cleanup.push(() => t.close());
    await eventually(t, 200);
    await redis.kill();
    const down = await eventually(t, 503);
    assert.equal(down.checks['redis:responseTime']?.[0]?.status, 'fail');
    assert.equal(down.checks['mysql:responseTime']?.[0]?.status, 'pass');
    const started = Date.now();
    await ready(t);
    assert.ok(Date.now() - started < 5_000, 'a probe during an outage must not hang');
    await redis.start();
    await eventually(t, 200);
  });

  it(
    'Kafka stopped → ready 503 naming kafka; Kafka back → 200 without a restart',
    { timeout: 300_000 },
    async () => {
      const kafka = throwawayKafka(19092);
      await kafka.up();
      cleanup.push(() => kafka.down());
      const t = await startTestApp({ KAFKA_BROKERS: kafka.brokers.join(','), DEPENDENCY_TIMEOUT_MS: '1000' });
      cleanup.push(() => t.close());
      await eventually(t, 200);
      await kafka.down();
      const down = await eventually(t, 503);
      assert.equal(down.checks['kafka:responseTime']?.[0]?.status, 'fail');
      assert.equal(down.checks['redis:responseTime']?.[0]?.status, 'pass');
      await kafka.up();
      await eventually(t, 200, 60_000);
    },
  );
});
