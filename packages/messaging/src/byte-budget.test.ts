import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBudget } from './byte-budget.ts';

describe('ByteBudget', () => {
  it('grants while bytes fit, then makes callers wait until release, in FIFO order', async () => {
    const b = new ByteBudget(100);
    await b.acquire(60);
    const order: string[] = [];
    const first = b.acquire(50).then(() => order.push('first'));
    const second = b.acquire(10).then(() => order.push('second'));
    await Promise.resolve();
    assert.deepEqual(order, [], 'a small request must not overtake a waiting larger one');
    assert.equal(b.waiting, 2);
    b.release(60);
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first', 'second']);
    assert.equal(b.used, 60);
  });

  it('rejects a request larger than the capacity at once', async () => {
    await assert.rejects(new ByteBudget(10).acquire(11), RangeError);
  });

  it('an aborted waiter leaves the queue and lets the next one in', async () => {
    const b = new ByteBudget(10);
    await b.acquire(10);
    const ac = new AbortController();
    const aborted = b.acquire(8, ac.signal);
    const next = b.acquire(2);
    ac.abort(new Error('publish timed out'));
    await assert.rejects(aborted, /publish timed out/);
    b.release(2);
    await next;
    assert.equal(b.used, 10);
    assert.equal(b.waiting, 0);
  });

  it('never exceeds its capacity under random acquire/release', async () => {
    const b = new ByteBudget(1000);
    let peak = 0;
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const bytes = 1 + ((i * 37) % 400);
        await b.acquire(bytes);
        peak = Math.max(peak, b.used);
        await new Promise((r) => setImmediate(r));
        b.release(bytes);
      }),
    );
    assert.ok(peak <= 1000, `peak ${peak}`);
    assert.equal(b.used, 0);
  });
});
