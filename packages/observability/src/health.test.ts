import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runHealthChecks } from './health.ts';

describe('runHealthChecks', () => {
  it('passes when every check resolves, keyed by component:responseTime', async () => {
    const report = await runHealthChecks(
      [
        { name: 'redis', componentType: 'datastore', check: () => Promise.resolve() },
        { name: 'mysql', componentType: 'datastore', check: () => Promise.resolve() },
      ],
      { timeoutMs: 100 },
    );
    assert.equal(report.status, 'pass');
    assert.deepEqual(Object.keys(report.checks).sort(), ['mysql:responseTime', 'redis:responseTime']);
    const redis = report.checks['redis:responseTime']?.[0];
    assert.equal(redis?.status, 'pass');
    assert.equal(redis?.observedUnit, 'ms');
    assert.equal(redis?.componentType, 'datastore');
  });

  it('fails the report and names the failing component with its error', async () => {
    const report = await runHealthChecks(
      [
        { name: 'redis', check: () => Promise.resolve() },
        { name: 'kafka', check: () => Promise.reject(new Error('connection refused')) },
      ],
      { timeoutMs: 100 },
    );
    assert.equal(report.status, 'fail');
    assert.equal(report.checks['kafka:responseTime']?.[0]?.status, 'fail');
    assert.equal(report.checks['kafka:responseTime']?.[0]?.output, 'connection refused');
    assert.equal(report.checks['redis:responseTime']?.[0]?.status, 'pass');
  });

  it('abandons a check that hangs and ignores its signal, at the deadline', async () => {
    const report = await runHealthChecks([{ name: 'mysql', check: () => new Promise(() => {}) }], {
      timeoutMs: 20,
    });
    assert.equal(report.status, 'fail');
    assert.match(report.checks['mysql:responseTime']?.[0]?.output ?? '', /timed out after 20 ms/);
  });
});
