import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLoadFailures } from './load-failures.ts';

describe('load failures', () => {
  const clock = () => {
    let t = 1_000;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  };

  it('backs a key off for backoffMs after a failure, then lets the loader run again', () => {
    const c = clock();
    const f = createLoadFailures({ backoffMs: 5_000, now: c.now });
    assert.equal(f.isBackingOff('k'), false);
    f.record('k', new Error('db down'));
    assert.equal(f.isBackingOff('k'), true);
    c.advance(4_999);
    assert.equal(f.isBackingOff('k'), true);
    c.advance(1);
    assert.equal(f.isBackingOff('k'), false);
  });

  it('shares a failure with calls that started before it, not with later ones (same millisecond too)', () => {
    const f = createLoadFailures({ backoffMs: 5_000 });
    const early = f.ticket();
    const err = new Error('db down');
    f.record('k', err);
    const late = f.ticket();
    assert.equal(f.sharedWith('k', early)?.error, err);
    assert.equal(f.sharedWith('k', late), undefined);
    assert.equal(f.sharedWith('other', early), undefined);
  });

  it('forgets a key on clear (successful load or invalidation)', () => {
    const f = createLoadFailures({ backoffMs: 5_000 });
    f.record('k', new Error('x'));
    f.clear('k');
    assert.equal(f.isBackingOff('k'), false);
  });

  it('keeps at most maxKeys keys, dropping the oldest', () => {
    const f = createLoadFailures({ backoffMs: 5_000, maxKeys: 3 });
    for (const k of ['a', 'b', 'c', 'd']) f.record(k, new Error(k));
    assert.equal(f.size, 3);
    assert.equal(f.isBackingOff('a'), false);
    assert.equal(f.isBackingOff('d'), true);
  });
});
