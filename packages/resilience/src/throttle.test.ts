import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createThrottle } from './throttle.ts';

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
