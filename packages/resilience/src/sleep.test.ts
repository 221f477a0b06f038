import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from './sleep.ts';

describe('sleep (fake clock)', () => {
  it('resolves after ms, not before', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let done = false;
      const p = sleep(1000).then(() => (done = true));
      mock.timers.tick(999);
      await Promise.resolve();
      assert.equal(done, false);
      mock.timers.tick(1);
      await p;
      assert.equal(done, true);
    } finally {
      mock.timers.reset();
    }
  });

  it('resolves (does not reject) as soon as the signal aborts, or at once if it already has', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const ac = new AbortController();
      let done = false;
      const p = sleep(60_000, ac.signal).then(() => (done = true));
      await Promise.resolve();
      assert.equal(done, false);
      ac.abort();
      await p;
      assert.equal(done, true);
      await sleep(60_000, ac.signal);
    } finally {
      mock.timers.reset();
    }
  });
});
