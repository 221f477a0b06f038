import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSuccessor, sealSuccessor } from './successor-box.ts';

const secret = () => randomBytes(32).toString('base64url');

describe('successor box (the refresh secret kept for retries)', () => {
  it('opens only with the previous secret and the same family', () => {
    const [previous, successor] = [secret(), secret()];
    const family = crypto.randomUUID();
    const box = sealSuccessor(previous, family, successor);
    assert.ok(!box.includes(successor));
    assert.equal(openSuccessor(previous, family, box), successor);
    assert.equal(openSuccessor(secret(), family, box), undefined);
    assert.equal(openSuccessor(previous, crypto.randomUUID(), box), undefined);
    assert.equal(openSuccessor(previous, family, `${box.slice(0, -2)}AA`), undefined);
    assert.equal(openSuccessor(previous, family, 'short'), undefined);
  });

  it('seals with a fresh IV each time', () => {
    const [previous, successor, family] = [secret(), secret(), crypto.randomUUID()];
    assert.notEqual(sealSuccessor(previous, family, successor), sealSuccessor(previous, family, successor));
  });
});
