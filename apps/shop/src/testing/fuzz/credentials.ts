import { importPKCS8, SignJWT } from 'jose';
import { createTokenService, generateKeyPem, JWT_ALG, type Role } from '../../modules/sessions/tokens.ts';
import { newUser, type TestApp } from '../test-app.ts';
import type { Credential } from './fuzz-request.ts';

export interface FuzzAccount {
  id: string;
  email: string;
  password: string;
}

export interface FuzzCredentials {
  user: FuzzAccount;
  admin: FuzzAccount;
  /** The Authorization header for a credential (undefined for `none`). */
  authorization(c: Credential): Promise<string | undefined>;
  /** Forgets the sessions a request may have ended (a logout), so the next one starts anew. */
  forget(): void;
}

/**
 * Real accounts (a registered user, an admin) and tokens of every kind a client may hold: its
 * own, one for an account that does not exist, an expired one, one signed by another key.
 */
export async function fuzzCredentials(t: TestApp): Promise<FuzzCredentials> {
  const { tokens, refreshStore } = t.features.sessions;
  const { jwt } = t.config;
  const registered = newUser('fuzz');
  const res = await t.app.inject({ method: 'POST', url: '/v1/users', payload: registered });
  if (res.statusCode !== 201)
    throw new Error(`fuzz: registering the user failed: ${res.statusCode} ${res.body}`);
  const user = { id: res.json<{ id: string }>().id, ...registered };
  const adminLogin = newUser('fuzz-admin');
  const admin = {
    id: (await t.features.users.ensureAdmin(adminLogin.email, adminLogin.password)).id,
    ...adminLogin,
  };

  // As login does it: a session family, then an access token naming it.
  const signIn = async (id: string, role: Role) =>
    tokens.sign({ sub: id, role, sid: (await refreshStore.issue(id)).familyId });
  const now = Math.floor(Date.now() / 1000);
  const expired = await new SignJWT({ role: 'user', sid: crypto.randomUUID() })
    .setProtectedHeader({ alg: JWT_ALG, kid: jwt.keyId, typ: 'at+jwt' })
    .setSubject(user.id)
    .setIssuer(jwt.issuer)
    .setAudience(jwt.audience)
    .setIssuedAt(now - 3600)
    .setExpirationTime(now - 1800)
    .sign(await importPKCS8(t.keys.privateKeyPem, JWT_ALG));
  const foreignService = await createTokenService({ ...jwt, ...(await generateKeyPem()) });
  const fixed: Partial<Record<Credential, string>> = {
    ghost: await t.token('user'),
    'ghost-admin': await t.token('admin'),
    expired,
    foreign: await foreignService.sign({ sub: admin.id, role: 'admin', sid: crypto.randomUUID() }),
  };
  let sessions: Partial<Record<Credential, Promise<string>>> = {};
  const session = (c: 'user' | 'admin') =>
    (sessions[c] ??= c === 'user' ? signIn(user.id, 'user') : signIn(admin.id, 'admin'));

  return {
    user,
    admin,
    async authorization(c) {
      if (c === 'none') return undefined;
      const token = c === 'user' || c === 'admin' ? await session(c) : fixed[c];
      return `Bearer ${token}`;
    },
    forget() {
      sessions = {};
    },
  };
}
