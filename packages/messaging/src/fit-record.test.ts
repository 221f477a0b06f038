import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitRecord, KEEP_HEADER_BYTES, KEEP_KEY_BYTES } from './fit-record.ts';
import { recordBytes, sha256Hex, toBuffer } from './raw-record.ts';

describe('fitRecord', () => {
  it('keeps a record that fits whole, and reports its sizes', () => {
    const r = { key: 'k', value: '{"a":1}', headerEntries: [['h', 'v']] as const };
    const f = fitRecord(r, 1024);
    assert.equal(f.record, r);
    assert.deepEqual(f.truncated, []);
    assert.deepEqual(f.original, {
      valueBytes: 7,
      valueSha256: sha256Hex('{"a":1}'),
      keyBytes: 1,
      headerCount: 1,
      headersBytes: 2,
    });
  });

  it('cuts a huge key, huge or many headers and the value until the record fits, within the reserve', () => {
    const value = Buffer.alloc(200_000, 7);
    const r = {
      key: 'k'.repeat(10_000),
      value,
      headerEntries: [
        ['ce_id', 'id-1'],
        ['huge', 'x'.repeat(500_000)],
        ...Array.from({ length: 5000 }, (_, i) => [`h${i}`, 'y'.repeat(100)] as const),
      ] as const,
    };
    const f = fitRecord(r, 64 * 1024, 1000);
    assert.ok(recordBytes(f.record) <= 64 * 1024 - 1000, String(recordBytes(f.record)));
    assert.deepEqual([...f.truncated].sort(), ['headers', 'key', 'value']);
    assert.equal(toBuffer(f.record.key ?? '').length, KEEP_KEY_BYTES);
    assert.deepEqual(
      f.record.headerEntries[0],
      ['ce_id', 'id-1'],
      'headers are kept in order from the first',
    );
    assert.equal(toBuffer(f.record.headerEntries[1]?.[1] ?? '').length, KEEP_HEADER_BYTES);
    const kept = toBuffer(f.record.value ?? '');
    assert.ok(kept.equals(value.subarray(0, kept.length)));
    assert.equal(f.original.valueBytes, value.length);
    assert.equal(f.original.valueSha256, sha256Hex(value));
    assert.equal(f.original.headerCount, 5002);
  });

  it('a budget smaller than what must stay keeps an empty value rather than throwing', () => {
    const f = fitRecord({ key: undefined, value: 'abc', headerEntries: [] }, 10);
    assert.deepEqual(f.truncated, ['value']);
    assert.equal(toBuffer(f.record.value ?? 'x').length, 0);
  });
});
