import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MarkPipeline } from './mark-pipeline.ts';

/** A mark function whose calls the test settles by hand. */
function manualMarks() {
  const calls: Array<{
    seqs: readonly (number | string)[];
    resolve: () => void;
    reject: (e: Error) => void;
  }> = [];
  const mark = (seqs: readonly (number | string)[]) =>
    new Promise<void>((resolve, reject) => calls.push({ seqs, resolve, reject }));
  return { calls, mark };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('MarkPipeline', () => {
  it('runs up to depth marks at once and waits for the oldest before starting another', async () => {
    const { calls, mark } = manualMarks();
    const marks = new MarkPipeline(2, mark);
    await marks.push([1, 2]);
    await marks.push([3]);
    assert.deepEqual(marks.seqs, [1, 2, 3]);
    let third = false;
    const pushing = marks.push([4]).then(() => (third = true));
    await tick();
    assert.equal(third, false, 'a third mark waits while two are in flight');
    calls[0]?.resolve();
    await pushing;
    assert.deepEqual(
      calls.map((c) => c.seqs),
      [[1, 2], [3], [4]],
    );
    assert.deepEqual(marks.seqs, [3, 4], 'finished marks no longer hold their rows back');
    calls[1]?.resolve();
    calls[2]?.resolve();
    await marks.drain();
    assert.deepEqual(marks.seqs, []);
  });

  it('surfaces a failed mark at the next push, and drain rejects with it', async () => {
    const { calls, mark } = manualMarks();
    const marks = new MarkPipeline(2, mark);
    await marks.push([1]);
    calls[0]?.reject(new Error('lost MySQL'));
    await tick();
    await assert.rejects(marks.push([2]), /lost MySQL/);
    const again = new MarkPipeline(1, mark);
    await again.push([3]);
    calls.at(-1)?.reject(new Error('deadlock'));
    await assert.rejects(again.drain(), /deadlock/);
  });

  it('settle waits for every mark and swallows errors; empty pushes start nothing', async () => {
    const { calls, mark } = manualMarks();
    const marks = new MarkPipeline(3, mark);
    await marks.push([]);
    assert.equal(calls.length, 0);
    await marks.push([1]);
    await marks.push([2]);
    let settled = false;
    const settling = marks.settle().then(() => (settled = true));
    calls[0]?.reject(new Error('x'));
    await tick();
    assert.equal(settled, false);
    calls[1]?.resolve();
    await settling;
  });

  it('rejects a depth below 1', () => {
    assert.throws(() => new MarkPipeline(0, () => Promise.resolve()), RangeError);
  });
});
