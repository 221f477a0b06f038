import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesOf, textOrBytes } from './kafka-serde.ts';

describe('textOrBytes (the subscriber keeps what is not UTF-8 as bytes)', () => {
  it('valid UTF-8 is text that encodes back to the same bytes', () => {
    for (const s of ['{"a":1}', 'ünïcödé ✓ 𝄞', '\uFFFD is a real character here', '']) {
      const b = Buffer.from(s);
      const t = textOrBytes(b);
      assert.equal(t, s);
      assert.ok(typeof t === 'string' && Buffer.from(t).equals(b));
    }
  });

  it('invalid UTF-8 stays bytes, copied off the source buffer', () => {
    const source = Buffer.from([0x41, 0xff, 0xfe, 0x42]);
    const got = textOrBytes(source);
    assert.ok(Buffer.isBuffer(got));
    assert.ok(got.equals(source));
    source[0] = 0;
    assert.equal(got[0], 0x41, 'a copy: the client may reuse its socket chunk');
  });

  it('absent stays absent (no key, a tombstone, a null header)', () => {
    assert.equal(textOrBytes(undefined), undefined);
  });

  it('bytesOf sends text as UTF-8 and bytes as they are', () => {
    assert.deepEqual(bytesOf('é'), Buffer.from([0xc3, 0xa9]));
    const b = Buffer.from([0xff]);
    assert.equal(bytesOf(b), b);
    assert.deepEqual(bytesOf(new Uint8Array([1, 2])), Buffer.from([1, 2]));
    assert.equal(bytesOf(undefined), undefined);
  });
});
