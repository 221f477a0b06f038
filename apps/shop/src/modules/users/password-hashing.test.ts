import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findOverloadedError } from '@surge/resilience';
import { createPasswordHasher } from './password-hashing.ts';
import { hashPassword } from './password.ts';

const cheap = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing with a concurrency limit', () => {
  it('runs `concurrency` hashes, queues `queueLimit`, refuses the rest at once with OverloadedError', async () => {
    const refused: string[] = [];
    const hasher = createPasswordHasher({
      cost: cheap,
      concurrency: 1,
      queueLimit: 1,
      queueTimeoutMs: 60_000,
      onReject: (reason) => refused.push(reason),
    });
    const stored = await hashPassword('correct horse battery', cheap);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => hasher.verify(i === 0 ? 'correct horse battery' : 'wrong', stored)),
    );
    assert.deepEqual(
      results.slice(0, 2).map((r) => (r.status === 'fulfilled' ? r.value : 'rejected')),
      [true, false],
      'the running and the queued hash complete',
    );
    for (const r of results.slice(2)) {
      assert.equal(r.status, 'rejected');
      assert.equal(findOverloadedError(r.reason)?.what, 'password-hashing');
    }
    assert.deepEqual(refused, ['queue-full', 'queue-full', 'queue-full']);
  });

  it('drops a queued hash whose client has gone: it never runs, the next one does', async () => {
    const hasher = createPasswordHasher({
      cost: cheap,
      concurrency: 1,
      queueLimit: 5,
      queueTimeoutMs: 60_000,
    });
    const running = hasher.hash('first password');
    const gone = new AbortController();
    const abandoned = hasher.hash('abandoned password', gone.signal);
    const next = hasher.hash('next password');
    const reason = new Error('client gone');
    gone.abort(reason);
    await assert.rejects(abandoned, (e) => e === reason);
    assert.match(await running, /^scrypt-opaque\$/);
    assert.match(await next, /^scrypt-opaque\$/);
  });
});
