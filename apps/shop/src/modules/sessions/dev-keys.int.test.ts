import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newUser, startTestApp } from '../../testing/test-app.ts';
import { loadOrCreateDevKeys } from './dev-keys.ts';

describe('dev keys shared by local instances', () => {
  const dirs: string[] = [];
  const scratch = async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'surge-dev-keys-')), 'keys');
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    for (const dir of dirs) await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('regression: two instances without configured keys verify each other’s tokens (each generated its own under kid dev-1)', async () => {
    const dir = await scratch();
    const env = { JWT_PRIVATE_KEY: '', JWT_PUBLIC_KEY: '', JWT_KEY_ID: 'dev-1', JWT_DEV_KEYS_DIR: dir };
    const [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
    try {
      const user = newUser();
      assert.equal((await a.app.inject({ method: 'POST', url: '/v1/users', payload: user })).statusCode, 201);
      for (const [signer, verifier] of [
        [a, b],
        [b, a],
      ] as const) {
        const login = await signer.app.inject({
          method: 'POST',
          url: '/v1/sessions',
          payload: { email: user.email, password: user.password },
        });
        const { accessToken } = login.json<{ accessToken: string }>();
        const me = await verifier.app.inject({
          method: 'GET',
          url: '/v1/me',
          headers: { authorization: `Bearer ${accessToken}` },
        });
        assert.equal(me.statusCode, 200, me.body);
      }
      const jwks = await Promise.all([a, b].map((t) => t.app.inject({ url: '/.well-known/jwks.json' })));
      assert.equal(jwks[0]?.body, jwks[1]?.body);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('creates the key file 0600 in a 0700 directory, and reads the same pair on the next start', async () => {
    const dir = await scratch();
    const first = await loadOrCreateDevKeys(dir);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, 'jwt-es256.json'))).mode & 0o777, 0o600);
    assert.deepEqual(await loadOrCreateDevKeys(dir), first);
    const racing = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateDevKeys(join(dir, 'race'))));
    assert.equal(new Set(racing.map((k) => k.publicKeyPem)).size, 1);
  });
});
