import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gcraStep } from './gcra.ts';

describe('gcraStep (pure, fake clock)', () => {
  const p = { limit: 4, windowMs: 1000, cost: 1 }; // one request per 250 ms, burst 4

  it('a fresh key admits and moves its TAT one interval past now', () => {
    assert.deepEqual(gcraStep(10_000, undefined, p), {
      allowed: true,
      retryAfterMs: 0,
      before: { tatMs: 10_000, remaining: 4, resetMs: 0 },
      after: { tatMs: 10_250, remaining: 3, resetMs: 250 },
    });
  });

  it('a TAT in the past counts as now (an idle key has its full quota)', () => {
    assert.deepEqual(gcraStep(10_000, 2_000, p), gcraStep(10_000, undefined, p));
  });

  it('denies once the TAT would run more than a window ahead; says when the request would pass', () => {
    const full = gcraStep(10_000, 11_000, p); // four requests charged at 10,000
    assert.equal(full.allowed, false);
    assert.equal(full.retryAfterMs, 250);
    assert.deepEqual(full.before, { tatMs: 11_000, remaining: 0, resetMs: 1000 });
    assert.equal(gcraStep(10_249, 11_000, p).allowed, false);
    assert.equal(gcraStep(10_250, 11_000, p).allowed, true, 'one interval later, exactly one request');
    assert.equal(gcraStep(10_250, 11_250, p).allowed, false);
  });

  it('cost moves the TAT by cost intervals; cost 0 reads without moving it', () => {
    assert.equal(gcraStep(0, undefined, { ...p, cost: 3 }).after.tatMs, 750);
    const peek = gcraStep(0, 500, { ...p, cost: 0 });
    assert.equal(peek.allowed, true);
    assert.deepEqual(peek.after, peek.before);
    assert.deepEqual(peek.before, { tatMs: 500, remaining: 2, resetMs: 500 });
    assert.equal(gcraStep(0, 500, { ...p, cost: 3 }).allowed, false);
    assert.equal(gcraStep(0, 500, { ...p, cost: 3 }).retryAfterMs, 250);
  });

  it('partial waits give partial quota back: remaining counts whole requests only', () => {
    assert.equal(gcraStep(10_100, 11_000, p).before.remaining, 0);
    assert.equal(gcraStep(10_250, 11_000, p).before.remaining, 1);
    assert.equal(gcraStep(10_600, 11_000, p).before.remaining, 2);
  });

  it('a limit that does not divide the window admits exactly `limit` in a burst', () => {
    const odd = { limit: 7, windowMs: 60_000, cost: 1 };
    let tat: number | undefined;
    let admitted = 0;
    for (let i = 0; i < 10; i++) {
      const s = gcraStep(5_000, tat, odd);
      if (!s.allowed) continue;
      admitted++;
      tat = s.after.tatMs;
    }
    assert.equal(admitted, 7);
  });
});
