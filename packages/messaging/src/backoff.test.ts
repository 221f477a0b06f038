import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, sleep } from './backoff.ts';

describe('backoffMs', () => {
  it('doubles from baseMs, is capped at maxMs, and jitters within [half, full]', () => {
    const opts = { baseMs: 100, maxMs: 1000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 50].map((a) => backoffMs(a, opts, () => 0.999999)),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.deepEqual(
      [1, 2, 5].map((a) => backoffMs(a, opts, () => 0)),
      [50, 100, 500],
    );
  });

  it('defaults to 100 ms doubling to 5000 ms and treats attempt < 1 as the first', () => {
    assert.equal(
      backoffMs(0, {}, () => 0.999999),
      100,
    );
    assert.equal(
      backoffMs(1000, {}, () => 0.999999),
      5000,
    );
  });
});

describe('sleep (fake clock)', () => {
  it('sleep resolves after ms, or at once when aborted', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let done = false;
      const p = sleep(1000).then(() => (done = true));
      mock.timers.tick(999);
      await Promise.resolve();
      assert.equal(done, false);
      mock.timers.tick(1);
      await p;
      const ac = new AbortController();
      const q = sleep(60_000, ac.signal);
      ac.abort();
      await q;
    } finally {
      mock.timers.reset();
    }
  });
});
