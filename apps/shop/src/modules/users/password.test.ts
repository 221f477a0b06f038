import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from './password.ts';

const cheap = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse battery', cheap);
    assert.match(stored, /^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
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

  it('skips hashing for a client that has gone: an aborted signal rejects with its reason', async () => {
    const stored = await hashPassword('correct horse battery', cheap);
    const gone = new AbortController();
    const reason = new Error('the client closed the connection');
    gone.abort(reason);
    await assert.rejects(verifyPassword('correct horse battery', stored, gone.signal), (e) => e === reason);
    await assert.rejects(hashPassword('correct horse battery', cheap, gone.signal), (e) => e === reason);
  });
});
