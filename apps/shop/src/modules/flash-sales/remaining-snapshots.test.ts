import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRemainingSnapshots } from './remaining-snapshots.ts';

function fixture(values: Array<number | undefined | Error>) {
  let clock = 1_000;
  const reads: string[] = [];
  const snapshots = createRemainingSnapshots({
    refreshMs: 250,
    now: () => clock,
    read: (saleId) => {
      reads.push(saleId);
      const next = values.shift();
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  });
  return { snapshots, reads, advance: (ms: number) => (clock += ms) };
}

describe('remaining snapshots (per-instance view of a sale’s units)', () => {
  it('reads Redis once per interval, however many readers', async () => {
    const { snapshots, reads, advance } = fixture([7, 5]);
    const first = await Promise.all(Array.from({ length: 100 }, () => snapshots.get('s')));
    assert.deepEqual(new Set(first), new Set([7]));
    assert.equal(reads.length, 1, 'concurrent readers share one read');
    advance(249);
    assert.equal(await snapshots.get('s'), 7);
    assert.equal(reads.length, 1);
    advance(1);
    assert.equal(await snapshots.get('s'), 5);
    assert.equal(reads.length, 2);
  });

  it('answers null while Redis cannot be read, and recovers on the next interval', async () => {
    const { snapshots, advance } = fixture([new Error('ECONNREFUSED'), 3]);
    assert.equal(await snapshots.get('s'), null);
    advance(250);
    assert.equal(await snapshots.get('s'), 3);
  });

  it('a sold-out sale reopens as soon as units are observed, never stickier than the interval', async () => {
    const { snapshots, reads, advance } = fixture([0]);
    assert.equal(await snapshots.get('s'), 0);
    assert.equal(snapshots.peek('s'), 0);
    snapshots.observe('s', 2); // a release returned two units
    assert.equal(snapshots.peek('s'), 2);
    assert.equal(await snapshots.get('s'), 2);
    assert.equal(reads.length, 1);
    advance(250);
    assert.equal(snapshots.peek('s'), undefined, 'an old value is not trusted');
  });

  it('a sale unknown to Redis is null', async () => {
    const { snapshots } = fixture([undefined]);
    assert.equal(await snapshots.get('s'), null);
  });
});
