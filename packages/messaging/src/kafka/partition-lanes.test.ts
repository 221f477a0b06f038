import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LaneWork } from './partition-lane.ts';
import { PartitionLanes } from './partition-lanes.ts';

interface Rec {
  partition: number;
  offset: bigint;
}

function harness() {
  const events: string[] = [];
  const pending = new Map<string, PromiseWithResolvers<boolean>>();
  let held = 0;
  const work: LaneWork<Rec> = {
    deliver(r, revoked) {
      const id = `${r.partition}@${r.offset}`;
      events.push(`start ${id}`);
      const d = Promise.withResolvers<boolean>();
      pending.set(id, d);
      return d.promise.then((acked) => acked && !revoked.aborted);
    },
    acked: (r) => events.push(`commit ${r.partition}@${r.offset}`),
    budget: { take: () => void held++, release: (n) => void (held -= n) },
  };
  async function finish(id: string) {
    pending.get(id)?.resolve(true);
    await new Promise((r) => setImmediate(r));
  }
  return { events, work, finish, held: () => held };
}

const rec = (partition: number, offset: number): Rec => ({ partition, offset: BigInt(offset) });

describe('PartitionLanes', () => {
  it('runs partitions concurrently, each in order', async () => {
    const h = harness();
    const lanes = new PartitionLanes(h.work);
    for (const r of [rec(0, 0), rec(1, 0), rec(0, 1)]) lanes.offer(r);
    assert.deepEqual(h.events, ['start 0@0', 'start 1@0']);
    await h.finish('0@0');
    assert.deepEqual(h.events.slice(2), ['commit 0@0', 'start 0@1']);
  });

  it('revokes the partitions a new assignment no longer lists, keeping the others', async () => {
    const h = harness();
    const lanes = new PartitionLanes(h.work);
    for (const r of [rec(0, 0), rec(0, 1), rec(1, 0), rec(1, 1)]) lanes.offer(r);
    lanes.assigned(new Set([1]));
    await h.finish('0@0');
    await h.finish('1@0');
    assert.deepEqual(h.events, ['start 0@0', 'start 1@0', 'commit 1@0', 'start 1@1']);
  });

  it('a partition that comes back waits for its revoked in-flight handler: never two deliveries of a partition at once', async () => {
    const h = harness();
    const lanes = new PartitionLanes(h.work);
    lanes.offer(rec(0, 5));
    lanes.assigned(new Set());
    lanes.assigned(new Set([0]));
    lanes.offer(rec(0, 5)); // the new assignment re-reads from the committed offset
    assert.deepEqual(h.events, ['start 0@5']);
    await h.finish('0@5');
    assert.deepEqual(h.events, ['start 0@5', 'start 0@5']);
    await h.finish('0@5');
    assert.deepEqual(h.events, ['start 0@5', 'start 0@5', 'commit 0@5']);
    assert.equal(h.held(), 0);
  });

  it('stop waits for in-flight handlers, commits them, and takes no more records', async () => {
    const h = harness();
    const lanes = new PartitionLanes(h.work);
    for (const r of [rec(0, 0), rec(0, 1), rec(1, 0)]) lanes.offer(r);
    let stopped = false;
    const stopping = lanes.stop().then(() => (stopped = true));
    lanes.offer(rec(2, 0));
    await h.finish('0@0');
    assert.equal(stopped, false);
    await h.finish('1@0');
    await stopping;
    assert.deepEqual(h.events, ['start 0@0', 'start 1@0', 'commit 0@0', 'commit 1@0']);
    assert.equal(h.held(), 0);
  });
});
