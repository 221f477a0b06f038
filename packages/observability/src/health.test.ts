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

  const degradedWhenDown = { redis: ['sessions.refresh', 'cache.l2'], kafka: ['orders.placement'] };

  it('a shared dependency that is down is warn, with its error and the features it degrades', async () => {
    const report = await runHealthChecks(
      [
        { name: 'redis', check: () => Promise.reject(new Error('connection refused')) },
        { name: 'mysql', check: () => Promise.resolve() },
      ],
      { timeoutMs: 100, degradedWhenDown },
    );
    assert.equal(report.status, 'warn');
    assert.deepEqual(
      { ...report.checks['redis:responseTime']?.[0], observedValue: 0, time: '' },
      {
        componentType: 'component',
        observedValue: 0,
        observedUnit: 'ms',
        status: 'warn',
        time: '',
        output: 'connection refused',
        degradedFeatures: ['sessions.refresh', 'cache.l2'],
      },
    );
    assert.equal(report.checks['mysql:responseTime']?.[0]?.status, 'pass');
    assert.equal(report.checks['mysql:responseTime']?.[0]?.degradedFeatures, undefined);
  });

  it('a failing check not declared shared is fail, even beside a warn', async () => {
    const report = await runHealthChecks(
      [
        { name: 'kafka', check: () => Promise.reject(new Error('no broker')) },
        { name: 'disk', check: () => Promise.reject(new Error('read-only')) },
      ],
      { timeoutMs: 100, degradedWhenDown },
    );
    assert.equal(report.status, 'fail');
    assert.equal(report.checks['kafka:responseTime']?.[0]?.status, 'warn');
    assert.equal(report.checks['disk:responseTime']?.[0]?.status, 'fail');
    assert.equal(report.checks['disk:responseTime']?.[0]?.degradedFeatures, undefined);
  });

  it('passes when the shared dependencies answer', async () => {
    const report = await runHealthChecks([{ name: 'redis', check: () => Promise.resolve() }], {
      timeoutMs: 100,
      degradedWhenDown,
    });
    assert.equal(report.status, 'pass');
    assert.equal(report.checks['redis:responseTime']?.[0]?.degradedFeatures, undefined);
  });
});
