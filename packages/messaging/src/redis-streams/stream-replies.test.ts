import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isNoGroupError,
  parseAutoclaimIds,
  parseConsumers,
  parseEntries,
  parsePendingCounts,
  parseReadGroup,
} from './stream-replies.ts';

describe('stream reply parsers', () => {
  it('reads XREADGROUP replies, including a timeout and trimmed pending entries', () => {
    assert.deepEqual(parseReadGroup(null), []);
    assert.deepEqual(
      parseReadGroup([
        [
          's',
          [
            ['1-0', ['key', 'k']],
            ['2-0', null],
          ],
        ],
      ]),
      [
        { id: '1-0', fields: ['key', 'k'] },
        { id: '2-0', fields: null },
      ],
    );
  });

  it('reads XCLAIM entries and XPENDING delivery counts', () => {
    assert.deepEqual(parseEntries('XCLAIM', [['3-1', ['a', 'b']]]), [{ id: '3-1', fields: ['a', 'b'] }]);
    assert.deepEqual(
      parsePendingCounts([
        ['1-0', 'c1', 12, 1],
        ['2-0', 'c1', 12, 4],
      ]),
      new Map([
        ['1-0', 1],
        ['2-0', 4],
      ]),
    );
  });

  it('reads XAUTOCLAIM JUSTID replies of Redis 7 and 6.2', () => {
    assert.deepEqual(parseAutoclaimIds(['0-0', ['1-0'], ['2-0']]), {
      cursor: '0-0',
      ids: ['1-0'],
      deleted: ['2-0'],
    });
    assert.deepEqual(parseAutoclaimIds(['5-0', []]), { cursor: '5-0', ids: [], deleted: [] });
  });

  it('reads XINFO CONSUMERS of Redis 7.0 and 7.2 (which adds inactive)', () => {
    assert.deepEqual(
      parseConsumers([
        ['name', 'a', 'pending', 2, 'idle', 10],
        ['name', 'b', 'pending', 0, 'idle', 99, 'inactive', 99],
      ]),
      [
        { name: 'a', pending: 2, idleMs: 10 },
        { name: 'b', pending: 0, idleMs: 99 },
      ],
    );
  });

  it('throws on shapes it does not know rather than returning half a value', () => {
    assert.throws(() => parseReadGroup([['s', [['1-0', [1, 2]]]]]), /unexpected XREADGROUP reply/);
    assert.throws(() => parsePendingCounts([['1-0', 'c1', 12, '1']]), /unexpected XPENDING reply/);
    assert.throws(() => parseAutoclaimIds('OK'), /unexpected XAUTOCLAIM reply/);
  });

  it('recognises NOGROUP errors', () => {
    assert.equal(isNoGroupError(new Error("NOGROUP No such key 's' or consumer group 'g'")), true);
    assert.equal(isNoGroupError(new Error('ERR other')), false);
  });
});
