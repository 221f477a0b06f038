import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHotTier } from './hot-tier.ts';

describe('hot tier', () => {
  const clock = () => {
    let t = 0;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('serves a value for ttlMs, then forgets it', () => {
    const c = clock();
    const hot = createHotTier({ ttlMs: 100, maxItems: 10 }, c.now);
    hot.set('a', { v: 1 }, hot.mark());
    c.advance(99);
    assert.deepEqual(hot.get('a'), { v: 1 });
    c.advance(1);
    assert.equal(hot.get('a'), undefined);
  });

  it('drops the oldest write beyond maxItems', () => {
    const hot = createHotTier({ ttlMs: 1_000, maxItems: 2 }, clock().now);
    hot.set('a', 1, hot.mark());
    hot.set('b', 2, hot.mark());
    hot.set('a', 11, hot.mark()); // rewritten: now the newest
    hot.set('c', 3, hot.mark());
    assert.equal(hot.get('b'), undefined);
    assert.equal(hot.get('a'), 11);
    assert.equal(hot.get('c'), 3);
  });

  it('refuses a value read before an invalidation (it may be the old one)', () => {
    const hot = createHotTier({ ttlMs: 1_000, maxItems: 10 }, clock().now);
    const before = hot.mark();
    hot.delete('a'); // the invalidation lands while the read is in flight
    hot.set('a', 'old', before);
    assert.equal(hot.get('a'), undefined);
    const after = hot.mark();
    hot.set('a', 'new', after);
    assert.equal(hot.get('a'), 'new');
    hot.clear();
    assert.equal(hot.get('a'), undefined);
    hot.set('a', 'older', after);
    assert.equal(hot.get('a'), undefined, 'a clear refuses it too');
  });

  it('freezes what it shares', () => {
    const hot = createHotTier({ ttlMs: 1_000, maxItems: 10 }, clock().now);
    const value = { name: 'phone' };
    hot.set('a', value, hot.mark());
    assert.ok(Object.isFrozen(hot.get('a')));
  });

  it('refuses nonsense options', () => {
    assert.throws(() => createHotTier({ ttlMs: 0, maxItems: 10 }), TypeError);
    assert.throws(() => createHotTier({ ttlMs: 10, maxItems: 0.5 }), TypeError);
  });
});
