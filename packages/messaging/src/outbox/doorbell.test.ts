import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Doorbell } from './doorbell.ts';

describe('Doorbell (fake clock)', () => {
  it('Doorbell.wait returns on a ring, and at once when rung while busy until cleared', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const bell = new Doorbell();
      const waiting = bell.wait(60_000);
      bell.ring();
      await waiting;
      await bell.wait(60_000); // rung earlier and not cleared: no wait
      bell.clear();
      let woke = false;
      const p = bell.wait(100).then(() => (woke = true));
      mock.timers.tick(99);
      await Promise.resolve();
      assert.equal(woke, false);
      mock.timers.tick(1);
      await p;
    } finally {
      mock.timers.reset();
    }
  });
});
