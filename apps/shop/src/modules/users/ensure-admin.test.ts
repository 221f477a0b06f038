import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureAdmin } from './ensure-admin.ts';
import type { UsersRepo } from './users-repo.ts';

describe('ensureAdmin', () => {
  const untouched = new Proxy({} as UsersRepo, {
    get: () => () => Promise.reject(new Error('the repository must not be reached')),
  });
  const ctx = { users: untouched, passwordCost: { N: 2 ** 10, r: 8, p: 1 } };

  it('refuses an email registration would refuse (one form of email for every account)', async () => {
    for (const email of ['ｏps@example.com', 'ops@éxample.com', 'not-an-email']) {
      await assert.rejects(ensureAdmin(ctx, email, 'a valid password 1'), TypeError, email);
    }
  });

  it('refuses a password with lone surrogates or control characters', async () => {
    for (const password of ['\ud800'.repeat(12), 'password\u0000password']) {
      await assert.rejects(ensureAdmin(ctx, 'ops@example.com', password), TypeError);
    }
  });
});
