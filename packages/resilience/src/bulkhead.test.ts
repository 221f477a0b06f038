import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createBulkhead } from './bulkhead.ts';
import { findOverloadedError } from './overloaded-error.ts';

/** A piece of work that stays running until `finish()`. */
function gatedWork() {
  let finish: () => void = () => {};
  let started = 0;
  const gate = new Promise<void>((r) => (finish = r));
  return {
    work: () => ((started += 1), gate),
    finish: () => finish(),
    get started() {
      return started;
    },
  };
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('createBulkhead', () => {
  it('runs maxConcurrent at once, queues maxQueued in order, refuses the next at once (queue-full)', async () => {
    const rejections: string[] = [];
    const b = createBulkhead({
      name: 'db',
      maxConcurrent: 2,
      maxQueued: 1,
      maxWaitMs: 60_000,
      onReject: (r) => rejections.push(r),
    });
    const w = gatedWork();
    const running = [b.run(w.work), b.run(w.work), b.run(w.work)];
    await settle();
    assert.equal(w.started, 2);
    assert.equal(b.active, 2);
    assert.equal(b.queued, 1);
    const refused = await b.run(w.work).catch((e: unknown) => e);
    const err = findOverloadedError(refused);
    assert.ok(err, 'refused with an OverloadedError');
    assert.equal(err.reason, 'queue-full');
    assert.equal(err.what, 'db');
    assert.equal(err.transient, true);
    assert.deepEqual(rejections, ['queue-full']);
    w.finish();
    await Promise.all(running);
    assert.equal(w.started, 3, 'the queued call ran once a slot was free');
    assert.equal(b.active, 0);
  });

  it('refuses a call that waited maxWaitMs (queue-timeout); it never runs and its place is skipped', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const rejections: string[] = [];
      const b = createBulkhead({
        name: 'db',
        maxConcurrent: 1,
        maxQueued: 5,
        maxWaitMs: 500,
        onReject: (r) => rejections.push(r),
      });
      const holder = gatedWork();
      const first = b.run(holder.work);
      const late = gatedWork();
      const waiting = b.run(late.work).catch((e: unknown) => e);
      await settle();
      mock.timers.tick(500);
      const err = findOverloadedError(await waiting);
      assert.equal(err?.reason, 'queue-timeout');
      assert.deepEqual(rejections, ['queue-timeout']);
      const next = gatedWork();
      const after = b.run(next.work);
      holder.finish();
      await first;
      await settle();
      assert.equal(late.started, 0, 'the timed-out call never ran');
      assert.equal(next.started, 1, 'the call behind it got the slot');
      next.finish();
      await after;
    } finally {
      mock.timers.reset();
    }
  });

  it("rejects with the caller's abort reason while queued, and never runs that work", async () => {
    const rejections: string[] = [];
    const b = createBulkhead({
      name: 'db',
      maxConcurrent: 1,
      maxQueued: 5,
      maxWaitMs: 60_000,
      onReject: (r) => rejections.push(r),
    });
    const holder = gatedWork();
    const first = b.run(holder.work);
    const ac = new AbortController();
    const gone = gatedWork();
    const waiting = b.run(gone.work, ac.signal).catch((e: unknown) => e);
    const reason = new Error('client went away');
    ac.abort(reason);
    assert.equal(await waiting, reason);
    assert.deepEqual(rejections, ['abandoned']);
    holder.finish();
    await first;
    await settle();
    assert.equal(gone.started, 0);
    assert.equal(b.active, 0);
    await assert.rejects(b.run(gone.work, ac.signal), (e) => e === reason, 'an aborted signal never enters');
  });

  it('acquire holds a slot until released; releasing twice frees it once', async () => {
    const b = createBulkhead({ name: 'pool', maxConcurrent: 1, maxQueued: 1, maxWaitMs: 60_000 });
    const release = await b.acquire();
    assert.equal(b.active, 1);
    let second = false;
    const next = b.acquire().then((r) => ((second = true), r));
    await settle();
    assert.equal(second, false);
    release();
    release();
    const releaseNext = await next;
    assert.equal(b.active, 1);
    releaseNext();
    await settle();
    assert.equal(b.active, 0);
  });

  it('keeps the reserved places of the queue for priority calls', async () => {
    const b = createBulkhead({ name: 'db', maxConcurrent: 1, maxQueued: 3, reserved: 1, maxWaitMs: 60_000 });
    const holder = gatedWork();
    const first = b.run(holder.work);
    const queued = [b.run(holder.work), b.run(holder.work)];
    const refused = await b.run(holder.work).catch((e: unknown) => e);
    assert.equal(
      findOverloadedError(refused)?.reason,
      'queue-full',
      'a normal call may not take the reserve',
    );
    const important = b.run(holder.work, undefined, { priority: true });
    await settle();
    assert.equal(b.queued, 3, 'a priority call takes the reserved place');
    const overflow = await b.run(holder.work, undefined, { priority: true }).catch((e: unknown) => e);
    assert.equal(findOverloadedError(overflow)?.reason, 'queue-full', 'the whole queue is full');
    holder.finish();
    await Promise.all([first, ...queued, important]);
    assert.equal(holder.started, 4);
  });
});
