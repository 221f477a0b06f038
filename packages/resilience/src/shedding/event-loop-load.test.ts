import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEventLoopLoad } from './event-loop-load.ts';

const waitMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createEventLoopLoad', () => {
  it('starts at zero, then reports the busy share of each interval and how late timers ran', async () => {
    const load = createEventLoopLoad({ intervalMs: 20 });
    try {
      assert.deepEqual(load.sample(), { utilization: 0, delayMs: 0 });
      // Keep the loop busy across a few intervals: 30 ms blocks, each one delaying every timer.
      for (let i = 0; i < 4; i++) {
        const until = performance.now() + 30;
        while (performance.now() < until);
        await waitMs(1);
      }
      const busy = load.sample();
      assert.ok(busy.utilization > 0 && busy.utilization <= 1, `utilization ${busy.utilization}`);
      assert.ok(busy.delayMs > 0, `delay ${busy.delayMs} ms`);
    } finally {
      load.close();
    }
  });
});
