import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AcquireResult, HeldLock } from './cluster-lock.ts';
import { waitForFill } from './lock-wait.ts';

function fakeClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: (ms: number) => {
      t += ms;
      return Promise.resolve();
    },
  };
}

const held: HeldLock = { key: 'k', token: 't', release: () => Promise.resolve(true) };

describe('waitForFill', () => {
  it('returns the value as soon as the holder has written it', async () => {
    const clock = fakeClock();
    let reads = 0;
    const r = await waitForFill(
      {
        ...clock,
        random: () => 0.5,
        read: () => Promise.resolve(++reads === 3 ? 'v' : undefined),
        tryAcquire: () => Promise.resolve<AcquireResult>('busy'),
      },
      { waitMs: 2000, pollMs: 20 },
    );
    assert.deepEqual(r, { outcome: 'value', value: 'v' });
    assert.equal(clock.now(), 60);
  });

  it('takes the lock when the holder crashed (its lock expired) or released without a value', async () => {
    const clock = fakeClock();
    let tries = 0;
    const r = await waitForFill(
      {
        ...clock,
        read: () => Promise.resolve(undefined),
        tryAcquire: () => Promise.resolve<AcquireResult>(++tries < 5 ? 'busy' : held),
      },
      { waitMs: 2000, pollMs: 20 },
    );
    assert.equal(r.outcome, 'lock');
  });

  it('gives up after waitMs, never sleeping past the deadline', async () => {
    const clock = fakeClock();
    const r = await waitForFill(
      {
        ...clock,
        random: () => 0.99,
        read: () => Promise.resolve(undefined),
        tryAcquire: () => Promise.resolve<AcquireResult>('busy'),
      },
      { waitMs: 100, pollMs: 30 },
    );
    assert.deepEqual(r, { outcome: 'timeout' });
    assert.equal(clock.now(), 100);
  });

  it('stops at once when Redis is unavailable', async () => {
    const clock = fakeClock();
    const r = await waitForFill(
      {
        ...clock,
        read: () => Promise.resolve(undefined),
        tryAcquire: () => Promise.resolve<AcquireResult>('unavailable'),
      },
      { waitMs: 2000, pollMs: 20 },
    );
    assert.deepEqual(r, { outcome: 'unavailable' });
    assert.ok(clock.now() <= 30);
  });
});
