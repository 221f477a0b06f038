import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isNegativeEntry, NEGATIVE_ENTRY } from './negative-entry.ts';

describe('negative entry', () => {
  it('is recognised after a JSON round trip (L1 and L2 store JSON)', () => {
    assert.ok(isNegativeEntry(JSON.parse(JSON.stringify(NEGATIVE_ENTRY))));
  });

  it('is not confused with null, undefined, primitives or ordinary objects', () => {
    for (const v of [null, undefined, 0, '', 'not-found', {}, { id: 1 }, [NEGATIVE_ENTRY]]) {
      assert.equal(isNegativeEntry(v), false, JSON.stringify(v));
    }
  });
});
