import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newUser } from './testing/test-app.ts';
import { spawnService, waitFor } from './testing/spawn-service.ts';

describe('the service process', () => {
  it('refuses to start on invalid configuration, naming the variable, exit 78', async () => {
    const svc = await spawnService({ PORT: 'eighty', KAFKA_BROKERS: 'no-port-here' });
    assert.equal(await svc.exited, 78);
    assert.match(svc.output(), /PORT must be an integer/);
  });

  it('names every invalid variable at once', async () => {
    const svc = await spawnService({ KAFKA_BROKERS: 'no-port-here', REDIS_URL: 'http://x' });
    assert.equal(await svc.exited, 78);
    assert.match(
      svc.output(),
      /KAFKA_BROKERS must be a comma-separated list of host:port \(got "no-port-here"\)/,
    );
    assert.match(svc.output(), /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('refuses the production profile without JWT keys', async () => {
    const svc = await spawnService({ JWT_PRIVATE_KEY: '', JWT_PUBLIC_KEY: '' });
    assert.equal(await svc.exited, 78);
    assert.match(svc.output(), /JWT_PRIVATE_KEY and JWT_PUBLIC_KEY/);
  });

  it('SIGTERM while requests are in flight: they complete, ready turns 503, then exit 0', async () => {
    // debug: each request is logged as it arrives, so the test knows when all are in flight.
    // All 12 hashes may wait for the 2 hashing slots (by default 8 may wait, 500 ms each: the
    // rest would be refused with 503 OVERLOADED, which is not what this test is about).
    const svc = await spawnService({
      LOG_LEVEL: 'debug',
      PASSWORD_HASH_QUEUE_LIMIT: '12',
      PASSWORD_HASH_QUEUE_TIMEOUT_MS: '60000',
    });
    try {
      await waitFor(svc, '/health/ready', 200);
      // Production-cost scrypt keeps these registrations in flight while the signal arrives.
      const inflight = Array.from({ length: 12 }, () =>
        fetch(`${svc.baseUrl}/v1/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(newUser('drain')),
        }),
      );
      // Signal only once the server has received every request: all 12 are then in flight.
      const received = () => svc.output().match(/"url":"\/v1\/users"[^\n]*"incoming request"/g)?.length ?? 0;
      while (received() < 12) await new Promise((r) => setTimeout(r, 5));
      svc.child.kill('SIGTERM');
      // The signal is handled on the event loop, so a probe may still slip in before it: poll.
      let readyStatus: number | 'closed' = 200;
      for (let i = 0; i < 100 && readyStatus === 200; i++) {
        readyStatus = await fetch(`${svc.baseUrl}/health/ready`).then(
          (r) => r.status,
          () => 'closed' as const,
        );
        if (readyStatus === 200) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(
        readyStatus === 503 || readyStatus === 'closed',
        `ready answered ${readyStatus} while draining`,
      );
      const statuses = await Promise.all(inflight.map(async (p) => (await p).status));
      assert.deepEqual(statuses, Array(12).fill(201));
      const code = await svc.exited;
      assert.equal(code, 0, svc.output());
      assert.match(svc.output(), /shutting down: draining in-flight requests/);
      assert.match(svc.output(), /shutdown complete/);
    } finally {
      svc.child.kill('SIGKILL');
    }
  });
});
