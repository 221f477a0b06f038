import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartitionLane, type LaneWork } from './partition-lane.ts';

interface Rec {
  offset: bigint;
}

/** A lane whose handlers wait until the test settles them; records what happened, in order. */
function harness() {
  const events: string[] = [];
  const pending = new Map<bigint, PromiseWithResolvers<boolean>>();
  let held = 0;
  const work: LaneWork<Rec> = {
    deliver(record) {
      events.push(`start ${record.offset}`);
      const d = Promise.withResolvers<boolean>();
      pending.set(record.offset, d);
      return d.promise;
    },
    acked: (record) => events.push(`commit ${record.offset}`),
    budget: { take: () => void held++, release: (n) => void (held -= n) },
  };
  /** Lets the record's handler finish (`true`: acked) and the lane move on. */
  async function finish(offset: bigint, acked = true) {
    pending.get(offset)?.resolve(acked);
    await new Promise((r) => setImmediate(r));
  }
  return { events, work, finish, held: () => held };
}

const rec = (offset: number): Rec => ({ offset: BigInt(offset) });

/** harness() plus a batch handler (at most `max` records) that waits until the test settles it. */
function batchHarness(max: number) {
  const h = harness();
  const batches: Array<PromiseWithResolvers<boolean>> = [];
  h.work.batch = {
    deliver(records) {
      h.events.push(`batch ${records.map((r) => r.offset).join(',')}`);
      const d = Promise.withResolvers<boolean>();
      batches.push(d);
      return d.promise;
    },
    maxRecords: max,
  };
  /** Settles the oldest unsettled batch (`true`: handled, `false`: refused). */
  async function finishBatch(handled = true) {
    batches.shift()?.resolve(handled);
    await new Promise((r) => setImmediate(r));
  }
  return { ...h, finishBatch };
}

describe('PartitionLane', () => {
  it('runs records one at a time in offset order and commits each after its handler', async () => {
    const h = harness();
    const lane = new PartitionLane(0, h.work);
    for (const o of [0, 1, 2]) lane.offer(rec(o));
    assert.deepEqual(h.events, ['start 0']);
    await h.finish(0n);
    await h.finish(1n);
    await h.finish(2n);
    assert.deepEqual(h.events, ['start 0', 'commit 0', 'start 1', 'commit 1', 'start 2', 'commit 2']);
    assert.equal(h.held(), 0);
  });

  it('drops records it already holds or acked when the stream sends them again', async () => {
    const h = harness();
    const lane = new PartitionLane(0, h.work);
    lane.offer(rec(0));
    lane.offer(rec(1));
    await h.finish(0n);
    for (const o of [0, 1]) lane.offer(rec(o));
    lane.offer(rec(2));
    await h.finish(1n);
    await h.finish(2n);
    assert.deepEqual(h.events, ['start 0', 'commit 0', 'start 1', 'commit 1', 'start 2', 'commit 2']);
    assert.equal(h.held(), 0);
  });

  it('on revoke, drops the queue, never commits the in-flight record and releases it (budget leaked one per revocation)', async () => {
    const h = harness();
    const lane = new PartitionLane(0, h.work);
    for (const o of [0, 1, 2]) lane.offer(rec(o));
    const idle = lane.revoke();
    assert.equal(h.held(), 1, 'the queued records are released at once');
    await h.finish(0n);
    await idle;
    lane.offer(rec(3));
    assert.deepEqual(h.events, ['start 0']);
    assert.equal(h.held(), 0);
  });

  it('on stop, finishes and commits the in-flight record and drops the queued ones', async () => {
    const h = harness();
    const lane = new PartitionLane(0, h.work);
    for (const o of [0, 1, 2]) lane.offer(rec(o));
    const idle = lane.stop();
    await h.finish(0n);
    await idle;
    assert.deepEqual(h.events, ['start 0', 'commit 0']);
    assert.equal(h.held(), 0);
  });

  it('releases what it holds when a delivery gives up (hard stop)', async () => {
    const h = harness();
    const lane = new PartitionLane(0, h.work);
    for (const o of [0, 1]) lane.offer(rec(o));
    await h.finish(0n, false);
    await lane.idle();
    assert.deepEqual(h.events, ['start 0']);
    assert.equal(h.held(), 0);
  });

  it('starts its first record only after the previous lane of the partition finished', async () => {
    const h = harness();
    const previous = Promise.withResolvers<void>();
    const lane = new PartitionLane(0, h.work, previous.promise);
    lane.offer(rec(0));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.events, []);
    previous.resolve();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.events, ['start 0']);
  });

  it('hands the records queued behind the head to the batch handler together, at most maxRecords, and commits each in order', async () => {
    const h = batchHarness(3);
    const lane = new PartitionLane(0, h.work);
    for (const o of [0, 1, 2, 3, 4, 5]) lane.offer(rec(o));
    assert.deepEqual(h.events, ['start 0'], 'a lone record at the head goes alone');
    await h.finish(0n);
    await h.finishBatch();
    await h.finishBatch();
    assert.deepEqual(h.events, [
      'start 0',
      'commit 0',
      'batch 1,2,3',
      'commit 1',
      'commit 2',
      'commit 3',
      'batch 4,5',
      'commit 4',
      'commit 5',
    ]);
    assert.equal(h.held(), 0);
  });

  it('runs a refused batch again one record at a time, then batches again', async () => {
    const h = batchHarness(10);
    const lane = new PartitionLane(0, h.work);
    for (const o of [0, 1, 2]) lane.offer(rec(o));
    await h.finish(0n);
    lane.offer(rec(3));
    await h.finishBatch(false);
    assert.deepEqual(h.events.slice(2), ['batch 1,2', 'start 1'], 'nothing committed by the refused batch');
    await h.finish(1n);
    await h.finish(2n);
    assert.deepEqual(h.events.slice(2), [
      'batch 1,2',
      'start 1',
      'commit 1',
      'start 2',
      'commit 2',
      'start 3',
    ]);
    lane.offer(rec(4));
    lane.offer(rec(5));
    await h.finish(3n);
    await h.finishBatch();
    assert.deepEqual(h.events.slice(-4), ['commit 3', 'batch 4,5', 'commit 4', 'commit 5']);
    assert.equal(h.held(), 0);
  });

  it('on stop during a batch, keeps the batch’s records, commits them when it ends and drops the rest', async () => {
    const h = batchHarness(2);
    const lane = new PartitionLane(0, h.work);
    for (const o of [0, 1, 2, 3]) lane.offer(rec(o));
    await h.finish(0n);
    const idle = lane.stop();
    assert.equal(h.held(), 2, 'the two records in the batch handler are still held');
    await h.finishBatch();
    await idle;
    assert.deepEqual(h.events, ['start 0', 'commit 0', 'batch 1,2', 'commit 1', 'commit 2']);
    assert.equal(h.held(), 0);
  });

  it('on revoke during a batch, commits none of it and releases everything', async () => {
    const h = batchHarness(5);
    const lane = new PartitionLane(0, h.work);
    for (const o of [0, 1, 2]) lane.offer(rec(o));
    await h.finish(0n);
    const idle = lane.revoke();
    await h.finishBatch();
    await idle;
    assert.deepEqual(h.events, ['start 0', 'commit 0', 'batch 1,2']);
    assert.equal(h.held(), 0);
  });
});
