import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBreaker, isBreakerOpenError, type BreakerState } from './breaker.ts';
import { TransientError } from './errors.ts';

const down = () => Promise.reject(new TransientError('gateway down'));
const up = () => Promise.resolve('ok');

describe('createBreaker', () => {
  it('opens after consecutive transient failures, refuses without calling, half-opens, closes on a success', async (t) => {
    t.mock.timers.enable({ apis: ['Date', 'setTimeout'] });
    const states: BreakerState[] = [];
    const b = createBreaker({
      name: 'gw',
      consecutiveFailures: 3,
      halfOpenAfterMs: 1000,
      onStateChange: (s) => states.push(s),
    });
    for (let i = 0; i < 3; i++) await assert.rejects(b.execute(down), /gateway down/);
    assert.equal(b.state(), 'open');
    let calls = 0;
    const err: unknown = await b
      .execute(() => {
        calls++;
        return up();
      })
      .catch((e: unknown) => e);
    assert.ok(isBreakerOpenError(err), String(err));
    assert.equal(err.retryAfterMs, 1000);
    assert.equal(calls, 0, 'refused without a call');
    assert.equal(b.snapshot().state, 'open');
    assert.ok(b.snapshot().retryAt);
    t.mock.timers.tick(1000);
    assert.equal(await b.execute(up), 'ok', 'the trial call runs and succeeds');
    assert.equal(b.state(), 'closed');
    assert.deepEqual(states, ['open', 'half-open', 'closed']);
    b.dispose();
  });

  it('a failed trial opens it again; non-transient errors never count', async (t) => {
    t.mock.timers.enable({ apis: ['Date', 'setTimeout'] });
    const b = createBreaker({ name: 'gw', consecutiveFailures: 2, halfOpenAfterMs: 500 });
    for (let i = 0; i < 5; i++) await assert.rejects(b.execute(() => Promise.reject(new Error('declined'))));
    assert.equal(b.state(), 'closed', 'ordinary errors are answers, not outages');
    await assert.rejects(b.execute(down));
    await assert.rejects(b.execute(down));
    assert.equal(b.state(), 'open');
    t.mock.timers.tick(500);
    await assert.rejects(b.execute(down), /gateway down/, 'the trial call ran and failed');
    assert.equal(b.state(), 'open');
    await assert.rejects(b.execute(up), (e: unknown) => isBreakerOpenError(e));
    b.dispose();
  });

  it('a success between failures resets the count', async () => {
    const b = createBreaker({ name: 'gw', consecutiveFailures: 2 });
    await assert.rejects(b.execute(down));
    await b.execute(up);
    await assert.rejects(b.execute(down));
    assert.equal(b.state(), 'closed');
    b.dispose();
  });
});
