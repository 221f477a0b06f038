import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCacheBulkheadFullError, isCacheLoadTimeoutError } from './errors.ts';
import { createLoadPolicy } from './load-policy.ts';
import { loaderProbe } from './testing/loader-probe.ts';

describe('load policy', () => {
  it('never runs more than maxConcurrent loaders and refuses beyond the queue at once', async () => {
    const policy = createLoadPolicy({ maxConcurrent: 3, maxQueued: 2 });
    const probe = loaderProbe((k) => k);
    probe.delayMs = 30;
    const started = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => policy.run(`k${i}`, probe.for(`k${i}`), 1000)),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected' && isCacheBulkheadFullError(r.reason));
    assert.equal(probe.maxActive, 3);
    assert.equal(ok.length, 5);
    assert.equal(refused.length, 15);
    assert.ok(Date.now() - started < 500);
  });

  it('aborts the loader signal and throws CacheLoadTimeoutError after timeoutMs', async () => {
    const policy = createLoadPolicy({ maxConcurrent: 1, maxQueued: 0 });
    const probe = loaderProbe(() => 'v');
    probe.hang = true;
    const err: unknown = await policy.run('k', probe.for('k'), 50).catch((e: unknown) => e);
    assert.ok(isCacheLoadTimeoutError(err), String(err));
    assert.equal(probe.aborted, 1);
    assert.equal(policy.active, 0);
  });

  it("rethrows the loader's own error unchanged", async () => {
    const policy = createLoadPolicy({ maxConcurrent: 1, maxQueued: 0 });
    const boom = new Error('db down');
    await assert.rejects(
      policy.run('k', () => Promise.reject(boom), 1000),
      (e) => e === boom,
    );
  });
});
