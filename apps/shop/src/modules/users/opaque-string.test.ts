import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prepareOpaqueString } from './opaque-string.ts';

describe('RFC 8265 OpaqueString (passwords)', () => {
  it('refuses lone surrogates (which UTF-8 encoding turns into U+FFFD)', () => {
    for (const s of ['\ud800'.repeat(12), '\udfff'.repeat(12), `abcdef${'\ud83d'}ghijkl`, `x${'\udc00'}`]) {
      assert.equal(prepareOpaqueString(s), undefined, JSON.stringify(s));
    }
  });

  it('refuses code points the FreeformClass disallows', () => {
    const disallowed = {
      nul: '\u0000',
      bell: '\u0007',
      del: '\u007f',
      c1: '\u0085',
      zeroWidthSpace: '\u200b',
      bom: '\ufeff',
      softHyphen: '\u00ad',
      privateUse: '\ue000',
      noncharacter: '\ufffe',
      unassigned: '\u0378',
      lineSeparator: '\u2028',
      oldHangulJamo: '\u1100',
      tatweel: '\u0640',
    };
    for (const [name, ch] of Object.entries(disallowed)) {
      assert.equal(prepareOpaqueString(`password-${ch}-123`), undefined, name);
    }
  });

  it('accepts letters, digits, symbols, punctuation and spaces of any script, unchanged', () => {
    for (const s of [
      'correct horse battery staple',
      'pässwörd-ß',
      'パスワードです',
      '🔐 secret 🔐',
      'Ѕеcrеt!',
    ]) {
      assert.equal(prepareOpaqueString(s), s.normalize('NFC'), s);
    }
  });

  it('maps non-ASCII spaces to U+0020 and normalises to NFC', () => {
    assert.equal(prepareOpaqueString('two\u00a0words\u3000here'), 'two words here');
    assert.equal(prepareOpaqueString('caf\u0065\u0301'), 'caf\u00e9');
    assert.equal(prepareOpaqueString('caf\u0065\u0301'), prepareOpaqueString('caf\u00e9'));
  });

  it('does not fold compatibility forms or case: they are different passwords', () => {
    assert.equal(prepareOpaqueString('ｐａｓｓｗｏｒｄ'), 'ｐａｓｓｗｏｒｄ');
    assert.notEqual(prepareOpaqueString('ｐａｓｓｗｏｒｄ'), prepareOpaqueString('password'));
    assert.notEqual(prepareOpaqueString('Password'), prepareOpaqueString('password'));
  });

  it('refuses the empty string', () => {
    assert.equal(prepareOpaqueString(''), undefined);
  });
});
