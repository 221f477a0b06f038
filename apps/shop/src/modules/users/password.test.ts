import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { hashPassword, isValidPassword, verifyPassword } from './password.ts';

const cheap = { N: 2 ** 10, r: 8, p: 1 };

/** A hash as the service stored them before RFC 8265: scrypt over the NFKC form, `scrypt$…`. */
function legacyHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 32, cheap);
  return ['scrypt', cheap.N, cheap.r, cheap.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse battery', cheap);
    assert.match(stored, /^scrypt-opaque\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    assert.equal(await verifyPassword('correct horse battery', stored), true);
    assert.equal(await verifyPassword('correct horse batterY', stored), false);
  });

  it('salts every hash', async () => {
    assert.notEqual(await hashPassword('same password!', cheap), await hashPassword('same password!', cheap));
  });

  it('never matches a malformed stored hash', async () => {
    for (const bad of ['', 'scrypt', 'bcrypt$1$2$3$a$b', 'scrypt$x$8$1$c2FsdA$aGFzaA', 'scrypt$1024$8$1$$']) {
      assert.equal(await verifyPassword('whatever password', bad), false, bad);
    }
  });

  it('regression: lone surrogates never match ("\\ud800"×12 logged in with "\\udfff"×12: both hashed as U+FFFD)', async () => {
    const stored = legacyHash('\ud800'.repeat(12));
    assert.equal(await verifyPassword('\udfff'.repeat(12), stored), false);
    assert.equal(await verifyPassword('\ud800'.repeat(12), stored), false);
    assert.equal(isValidPassword('\ud800'.repeat(12)), false);
    await assert.rejects(hashPassword('\ud800'.repeat(12), cheap), TypeError);
  });

  it('hashes made before RFC 8265 (NFKC) keep verifying', async () => {
    const stored = legacyHash('correct horse battery');
    assert.equal(await verifyPassword('correct horse battery', stored), true);
    assert.equal(await verifyPassword('correct horse batterY', stored), false);
  });

  it('compares the NFC form: compatibility forms are different passwords, canonical ones the same', async () => {
    const stored = await hashPassword('ｐａｓｓｗｏｒｄ-caf\u00e9', cheap);
    assert.equal(await verifyPassword('password-caf\u00e9', stored), false);
    assert.equal(await verifyPassword('ｐａｓｓｗｏｒｄ-cafe\u0301', stored), true);
    const spaced = await hashPassword('two words and more', cheap);
    assert.equal(await verifyPassword('two\u00a0words\u2003and more', spaced), true);
  });

  it('skips hashing for a client that has gone: an aborted signal rejects with its reason', async () => {
    const stored = await hashPassword('correct horse battery', cheap);
    const gone = new AbortController();
    const reason = new Error('the client closed the connection');
    gone.abort(reason);
    await assert.rejects(verifyPassword('correct horse battery', stored, gone.signal), (e) => e === reason);
    await assert.rejects(hashPassword('correct horse battery', cheap, gone.signal), (e) => e === reason);
  });
});
