import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAdaptiveShedder, type Admission, type LoadSample } from './adaptive-shedder.ts';

const CALM: LoadSample = { utilization: 0.3, delayMs: 12 };
const OVERLOADED: LoadSample = { utilization: 0.97, delayMs: 80 };

/** A shedder on a fake clock and a fake load: 250 ms adjustments, 1 s cool-down, limit ≥ 8. */
function rig() {
  let t = 0;
  let load: LoadSample = CALM;
  const shedder = createAdaptiveShedder({ load: () => load, now: () => t });
  const held: Admission[] = [];
  return {
    shedder,
    held,
    setLoad: (l: LoadSample) => (load = l),
    advance: (ms: number) => (t += ms),
    /** Admits `n` requests of `priority`, keeping the admitted ones; returns how many were admitted. */
    offer(n: number, priority: 'normal' | 'high' = 'normal'): number {
      let admitted = 0;
      for (let i = 0; i < n; i++) {
        const a = shedder.admit(priority);
        if (a === undefined) continue;
        held.push(a);
        admitted++;
      }
      return admitted;
    },
  };
}

describe('createAdaptiveShedder (fake clock, fake load)', () => {
  it('never sheds while the process is not overloaded, however many requests are in flight', () => {
    const r = rig();
    assert.equal(r.offer(1000), 1000);
    r.advance(300);
    assert.equal(r.offer(1000), 1000);
    assert.equal(r.shedder.stats().limit, Number.POSITIVE_INFINITY);
  });

  it('needs a busy and a late event loop: either alone is not overload', () => {
    const r = rig();
    r.offer(100);
    r.setLoad({ utilization: 1, delayMs: 12 }); // busy but on time: well used
    r.advance(300);
    assert.equal(r.offer(100), 100);
    r.setLoad({ utilization: 0.2, delayMs: 300 }); // late but idle: other processes have the CPU
    r.advance(300);
    assert.equal(r.offer(100), 100);
  });

  it('when overloaded, caps normal requests at 3/4 of those in flight, high ones at twice that, critical never', () => {
    const r = rig();
    r.offer(40);
    r.setLoad(OVERLOADED);
    r.advance(250);
    assert.equal(r.offer(1), 0, 'normal: shed at 40 in flight, limit 30');
    assert.equal(r.shedder.stats().limit, 30);
    assert.equal(r.offer(100, 'high'), 20, 'high: admitted up to 2 × 30');
    for (let i = 0; i < 100; i++) assert.ok(r.shedder.admit('critical'), 'critical: never shed');
    assert.equal(r.shedder.stats().inFlight, 60, 'critical requests bypass the count');
  });

  it('admits again below the cap: a finished request makes room for one more', () => {
    const r = rig();
    r.offer(40);
    r.setLoad(OVERLOADED);
    r.advance(250);
    assert.equal(r.offer(1), 0);
    for (const a of r.held.splice(0, 11)) a.done();
    assert.equal(r.offer(5), 1, 'room for one below the limit of 30');
  });

  it('cuts the cap every overloaded interval, never below the floor', () => {
    const r = rig();
    r.offer(100);
    r.setLoad(OVERLOADED);
    const limits: number[] = [];
    for (let i = 0; i < 12; i++) {
      r.advance(250);
      r.offer(1);
      limits.push(r.shedder.stats().limit);
    }
    assert.deepEqual(limits.slice(0, 4), [75, 56, 42, 31]);
    assert.equal(limits.at(-1), 8, 'the floor');
    assert.ok(limits.every((l, i) => i === 0 || l <= (limits[i - 1] ?? l)));
  });

  it('raises the cap by one per calm interval during the cool-down, and stops shedding after it', () => {
    const r = rig();
    r.offer(40);
    r.setLoad(OVERLOADED);
    r.advance(250);
    r.offer(1);
    assert.equal(r.shedder.stats().limit, 30);
    r.setLoad(CALM);
    r.advance(250);
    assert.equal(r.offer(1), 0, 'still shedding within the cool-down');
    assert.equal(r.shedder.stats().limit, 31);
    r.advance(750);
    assert.ok(r.offer(100) === 100, 'a calm cool-down lifts the cap');
    assert.equal(r.shedder.stats().limit, Number.POSITIVE_INFINITY);
  });

  it('an admission counts once: done twice frees one place', () => {
    const r = rig();
    const a = r.shedder.admit('normal');
    assert.equal(r.shedder.stats().inFlight, 1);
    a?.done();
    a?.done();
    assert.equal(r.shedder.stats().inFlight, 0);
  });
});
