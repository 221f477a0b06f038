import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKeyedThrottle, createThrottle } from './throttle.ts';

describe('createThrottle (fake clock)', () => {
  it('lets one event through per interval and counts the ones held back', () => {
    let t = 1_000;
    const gate = createThrottle(10_000, () => t);
    assert.equal(gate.pass(), 0);
    t += 1;
    assert.equal(gate.pass(), undefined);
    t += 5_000;
    assert.equal(gate.pass(), undefined);
    t = 11_000;
    assert.equal(gate.pass(), 2, 'two held back since the last line');
    assert.equal(gate.pass(), undefined);
    t = 30_000;
    assert.equal(gate.pass(), 1);
  });
});

describe('createKeyedThrottle (fake clock)', () => {
  it('throttles each kind on its own', () => {
    let t = 1_000;
    const gate = createKeyedThrottle(10_000, { now: () => t });
    assert.deepEqual(
      [gate.pass('a'), gate.pass('b'), gate.pass('a'), gate.pass('b')],
      [0, 0, undefined, undefined],
    );
    t = 11_000;
    assert.deepEqual([gate.pass('a'), gate.pass('b')], [1, 1]);
  });

  it('beyond maxKinds, the new kinds share one throttle: the lines stay bounded', () => {
    const gate = createKeyedThrottle(10_000, { maxKinds: 2, now: () => 1_000 });
    assert.deepEqual([gate.pass('a'), gate.pass('b')], [0, 0]);
    const beyond = Array.from({ length: 50 }, (_, i) => gate.pass(`kind-${i}`));
    assert.deepEqual(
      beyond.filter((s) => s !== undefined),
      [0],
      '50 kinds beyond the bound let one line through, not 50',
    );
    assert.equal(gate.pass('a'), undefined, 'the remembered kinds keep their own throttle');
  });
});
