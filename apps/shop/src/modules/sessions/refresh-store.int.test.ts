import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { testRedisUrl } from '@surge/test-support';
import { createRefreshStore, REMEMBERED_SPENT_SECRETS } from './refresh-store.ts';

describe('refresh store (real Redis)', () => {
  const redis = new Redis(testRedisUrl());
  after(() => redis.quit());
  const ttl = { refreshTtlSec: 3600, accessTtlSec: 900 };

  it('without a grace, the previous token presented again is reuse and revokes the family', async () => {
    const store = createRefreshStore(redis, { ...ttl, refreshGraceSec: 0 });
    const { familyId, refreshToken } = await store.issue('user-1');
    const rotated = await store.rotate(refreshToken);
    assert.equal(rotated.kind, 'rotated');
    assert.equal((await store.rotate(refreshToken)).kind, 'reused');
    assert.equal(await store.isRevoked(familyId), true);
    assert.equal((await store.rotate((rotated as { refreshToken: string }).refreshToken)).kind, 'unknown');
  });

  it('keeps nothing usable in Redis: hashes of secrets, and the successor sealed under the previous secret', async () => {
    const store = createRefreshStore(redis, { ...ttl, refreshGraceSec: 30 });
    const { familyId, refreshToken } = await store.issue('user-2');
    const rotated = await store.rotate(refreshToken);
    assert.equal(rotated.kind, 'rotated');
    const secret = (rotated as { refreshToken: string }).refreshToken.split('.')[1] ?? '';
    const stored = JSON.stringify(await redis.hgetall(`surge:{rtf:${familyId}}`));
    assert.ok(!stored.includes(secret) && !stored.includes(refreshToken.split('.')[1] ?? ''));
    const retried = await store.rotate(refreshToken);
    assert.deepEqual(retried, { ...rotated, kind: 'retried' });
  });

  it(`remembers the last ${REMEMBERED_SPENT_SECRETS} spent secrets; an older one is answered like a never-issued one`, async () => {
    const store = createRefreshStore(redis, { ...ttl, refreshGraceSec: 0 });
    const { familyId, refreshToken: first } = await store.issue('user-3');
    let token = first;
    for (let i = 0; i <= REMEMBERED_SPENT_SECRETS; i++) {
      const r = await store.rotate(token);
      assert.equal(r.kind, 'rotated');
      token = (r as { refreshToken: string }).refreshToken;
    }
    assert.equal(await redis.zcard(`surge:{rtf:${familyId}}:spent`), REMEMBERED_SPENT_SECRETS);
    assert.ok((await redis.pttl(`surge:{rtf:${familyId}}:spent`)) > 0, 'expires with the family');
    assert.equal((await store.rotate(first)).kind, 'unknown');
    assert.equal(await store.isRevoked(familyId), false);
    assert.equal((await store.rotate(token)).kind, 'rotated');
  });
});
