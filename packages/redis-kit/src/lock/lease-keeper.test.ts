import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { driftMs, keepLease, type LeaseKeeperOptions } from './lease-keeper.ts';
import { isLockNotHeldError } from './lock-errors.ts';

/** Lets the promise callbacks that fired timers started run (setImmediate is not faked). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Advances the fake clock by `ms` in 1 ms steps, running what each step triggers. */
async function advance(ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    mock.timers.tick(1);
    await settle();
  }
}

describe('keepLease (fake clock)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
  afterEach(() => mock.timers.reset());

  const start = (renew: LeaseKeeperOptions['renew'], overrides: Partial<LeaseKeeperOptions> = {}) => {
    const calls: number[] = [];
    const keeper = keepLease({
      lock: 'job',
      ttlMs: 300,
      renewEveryMs: 100,
      timeoutMs: 50,
      acquiredAt: 0,
      now: () => Date.now(),
      renew: (signal) => (calls.push(Date.now()), renew(signal)),
      ...overrides,
    });
    return { keeper, calls };
  };
  const reasonOf = (signal: AbortSignal) => {
    assert.ok(signal.aborted, 'the signal aborted');
    assert.ok(isLockNotHeldError(signal.reason));
    return signal.reason.reason;
  };

  it('renews every renewEveryMs while renewals succeed, and the signal never aborts', async () => {
    const { keeper, calls } = start(() => Promise.resolve(true));
    await advance(1_000);
    assert.deepEqual(calls, [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    assert.equal(keeper.signal.aborted, false);
    keeper.stop();
  });

  it('aborts (lost) as soon as a renewal finds the lock is not ours, and renews no more', async () => {
    let ours = true;
    const { keeper, calls } = start(() => Promise.resolve(ours));
    let abortedAt: number | undefined;
    keeper.signal.addEventListener('abort', () => (abortedAt = Date.now()));
    await advance(150);
    ours = false;
    await advance(60);
    assert.equal(reasonOf(keeper.signal), 'lost');
    assert.equal(abortedAt, 200, 'at the renewal that found it, not at the lease end');
    await advance(500);
    assert.equal(calls.length, 2);
  });

  it('a failed renewal is retried; if none succeeds the signal aborts (unconfirmed) before the lease from the last success ends', async () => {
    let failing = false;
    const { keeper, calls } = start(() =>
      failing ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve(true),
    );
    await advance(100); // renewed at 100: the lease now ends at 100 + 300 - drift
    failing = true;
    await advance(199); // failed at 200 and 300; still within the lease
    assert.equal(keeper.signal.aborted, false, 'one failed renewal does not cost the lock');
    const leaseEnd = 100 + 300 - driftMs(300);
    await advance(leaseEnd - Date.now());
    assert.equal(reasonOf(keeper.signal), 'unconfirmed');
    assert.match(String((keeper.signal.reason as Error).cause), /ECONNREFUSED/);
    assert.deepEqual(calls, [100, 200, 300]);
  });

  it('a renewal that hangs counts as failed at timeoutMs; the signal aborts at the lease end, not later', async () => {
    const { keeper, calls } = start(() => new Promise<boolean>(() => {}));
    await advance(300 - driftMs(300) - 1);
    assert.equal(keeper.signal.aborted, false);
    await advance(1);
    assert.equal(reasonOf(keeper.signal), 'unconfirmed');
    assert.deepEqual(calls, [100, 250], 'the second try starts renewEveryMs after the first timed out');
  });

  it('a lease counts from when its renewal was sent, not from when the reply came', async () => {
    let calls = 0;
    const { keeper } = start(() =>
      ++calls === 1
        ? new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 40))
        : Promise.reject(new Error('ECONNRESET')),
    );
    let abortedAt: number | undefined;
    keeper.signal.addEventListener('abort', () => (abortedAt = Date.now()));
    await advance(600);
    assert.equal(reasonOf(keeper.signal), 'unconfirmed');
    assert.equal(abortedAt, 100 + 300 - driftMs(300), 'sent at 100, answered at 140');
  });

  it('stop aborts the signal (released) and ends the renewals', async () => {
    const { keeper, calls } = start(() => Promise.resolve(true));
    await advance(150);
    keeper.stop();
    keeper.stop();
    assert.equal(reasonOf(keeper.signal), 'released');
    await advance(500);
    assert.deepEqual(calls, [100]);
  });
});
