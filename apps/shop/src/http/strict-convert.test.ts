import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'typebox';
import { convertStrictly } from './strict-convert.ts';

const Query = Type.Object({
  limit: Type.Optional(Type.Integer()),
  rate: Type.Optional(Type.Number()),
  flag: Type.Optional(Type.Boolean()),
  cursor: Type.Optional(Type.String()),
});

const limitOf = (raw: string) => (convertStrictly(Query, { limit: raw }) as { limit: unknown }).limit;

describe('convertStrictly (issue 8, finding 12: lenient query numbers)', () => {
  it('converts canonical decimal integers', () => {
    for (const [raw, n] of [
      ['0', 0],
      ['20', 20],
      ['-3', -3],
      ['100', 100],
    ] as const) {
      assert.equal(limitOf(raw), n, raw);
    }
  });

  it('leaves anything else a string, so the schema check refuses it', () => {
    for (const raw of [
      '1.5',
      'true',
      '0x2',
      '1e1',
      '+5',
      '05',
      ' 5',
      '5 ',
      '',
      '0b11',
      '10.0',
      '-0',
      'NaN',
      '9007199254740993',
    ]) {
      assert.equal(limitOf(raw), raw, raw);
    }
  });

  it('numbers and booleans from their canonical text only; strings untouched', () => {
    assert.deepEqual(convertStrictly(Query, { rate: '0.25', flag: 'true', cursor: '12' }), {
      rate: 0.25,
      flag: true,
      cursor: '12',
    });
    assert.deepEqual(convertStrictly(Query, { rate: '.5', flag: '1' }), { rate: '.5', flag: '1' });
  });

  it('keeps repeated parameters (arrays) and unknown fields as they came', () => {
    assert.deepEqual(convertStrictly(Query, { limit: ['1', '2'], other: '3' }), {
      limit: ['1', '2'],
      other: '3',
    });
  });
});
