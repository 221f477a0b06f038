import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, sleep } from './backoff.ts';

describe('backoffMs', () => {
  it('doubles from the base up to the cap', () => {
    const top = () => 0.999999;
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, 100, 5000, top)),
      [100, 200, 400, 800, 1600, 3200, 5000],
    );
  });

  it('jitters into the upper half and survives absurd attempt numbers', () => {
    assert.equal(
      backoffMs(3, 100, 5000, () => 0),
      200,
    );
    assert.equal(
      backoffMs(10_000, 100, 5000, () => 0),
      2500,
    );
    assert.equal(
      backoffMs(0, 100, 5000, () => 0),
      50,
    );
  });
});

describe('sleep', () => {
  it('resolves early when aborted, and at once when already aborted', async () => {
    const ac = new AbortController();
    const slept = sleep(60_000, ac.signal);
    ac.abort();
    await slept;
    await sleep(60_000, AbortSignal.abort());
  });
});
