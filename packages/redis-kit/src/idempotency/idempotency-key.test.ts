import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIdempotencyKeyError } from './idempotency-errors.ts';
import { parseIdempotencyKey } from './idempotency-key.ts';

const code = (header: string | string[] | undefined): string => {
  try {
    parseIdempotencyKey(header);
  } catch (e) {
    if (isIdempotencyKeyError(e)) return e.code;
    throw e;
  }
  return 'OK';
};

describe('parseIdempotencyKey', () => {
  it('reads a structured-field String (draft -07) and undoes its escapes', () => {
    assert.equal(
      parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"'),
      '8e03978e-40d5-43e8-bc93-6894a57f9324',
    );
    assert.equal(parseIdempotencyKey(String.raw`"a \"quoted\" \\ key"`), String.raw`a "quoted" \ key`);
    assert.equal(
      parseIdempotencyKey('  "padded"  '),
      'padded',
      'surrounding spaces are not part of the field',
    );
  });

  it('accepts the bare form as the same key', () => {
    assert.equal(parseIdempotencyKey('8e03978e-40d5'), '8e03978e-40d5');
    assert.equal(parseIdempotencyKey('abc'), parseIdempotencyKey('"abc"'));
    assert.equal(parseIdempotencyKey('b64+/key=='), 'b64+/key==');
  });

  it('checks and ignores parameters of the String (RFC 8941 items may carry them)', () => {
    assert.equal(parseIdempotencyKey('"k";a=1;b="x;y";c;d=?0;e=tok/en;f=:AQID:;g=-1.5'), 'k');
    for (const bad of ['"k";', '"k";A=1', '"k";a=', '"k";a=1.2345', '"k";a="open', '"k" x', '"k"x'])
      assert.equal(code(bad), 'IDEMPOTENCY_KEY_INVALID', bad);
  });

  it('answers IDEMPOTENCY_KEY_MISSING without the header', () => {
    assert.equal(code(undefined), 'IDEMPOTENCY_KEY_MISSING');
  });

  it('refuses empty keys, keys over 255 characters and malformed values with IDEMPOTENCY_KEY_INVALID', () => {
    assert.equal(parseIdempotencyKey(`"${'k'.repeat(255)}"`).length, 255);
    assert.equal(parseIdempotencyKey('k'.repeat(255)).length, 255);
    const bad = [
      '',
      '   ',
      '""',
      `"${'k'.repeat(256)}"`,
      'k'.repeat(256),
      '"unterminated',
      String.raw`"bad \n escape"`,
      '"tab\tinside"',
      '"é"',
      'a b',
      'a"b',
      'a\\b',
      '"a", "b"', // two fields joined by Node
      'a, b',
    ];
    for (const header of bad) assert.equal(code(header), 'IDEMPOTENCY_KEY_INVALID', JSON.stringify(header));
    // 256 characters on the wire, 128 once unescaped: the bound is on the key.
    assert.equal(parseIdempotencyKey(`"${'\\"'.repeat(128)}"`).length, 128);
  });

  it('takes a one-element array (a raw header list) and refuses several', () => {
    assert.equal(parseIdempotencyKey(['"k"']), 'k');
    assert.equal(code(['"a"', '"b"']), 'IDEMPOTENCY_KEY_INVALID');
    assert.equal(code([]), 'IDEMPOTENCY_KEY_INVALID');
  });
});
