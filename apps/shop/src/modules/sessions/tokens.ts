import {
  createLocalJWKSet,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
  importSPKI,
  jwtVerify,
  SignJWT,
  type CryptoKey,
} from 'jose';
import { unauthorized } from '../../errors.ts';

/** The one signing algorithm. Verification accepts nothing else (no `none`, no HS256 confusion). */
export const JWT_ALG = 'ES256';

export type Role = 'user' | 'admin';

export interface AccessClaims {
  /** User id. */
  sub: string;
  role: Role;
  /** Session (refresh family) id: logout and reuse detection revoke by it. */
  sid: string;
  /**
   * Claim `av`: the user's account version when the token was issued (`users.account_version`).
   * A published change with a higher version overrides `role` (auth-plugin.ts). Tokens without
   * the claim (issued before it existed) count as version 0.
   */
  accountVersion: number;
}

/** What signing needs; `accountVersion` defaults to 0. */
export type SignClaims = Omit<AccessClaims, 'accountVersion'> & { accountVersion?: number };

export interface TokenOptions {
  privateKeyPem: string;
  publicKeyPem: string;
  keyId: string;
  issuer: string;
  audience: string;
  accessTtlSec: number;
}

export interface TokenService {
  sign(claims: SignClaims): Promise<string>;
  /** Resolves the claims of a valid token; throws 401 `UNAUTHORIZED` for anything else. */
  verify(token: string): Promise<AccessClaims>;
  /** Public keys for `/.well-known/jwks.json`, so other services can verify our tokens. */
  jwks: { keys: Array<Record<string, unknown>> };
}

/** Generates an ES256 key pair as PEM (dev/test profiles, and `npm run keys:generate`). */
export async function generateKeyPem(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = await generateKeyPair(JWT_ALG, { extractable: true });
  return { privateKeyPem: await exportPKCS8(privateKey), publicKeyPem: await exportSPKI(publicKey) };
}

export async function createTokenService(opts: TokenOptions): Promise<TokenService> {
  const privateKey: CryptoKey = await importPKCS8(opts.privateKeyPem, JWT_ALG);
  const publicKey = await importSPKI(opts.publicKeyPem, JWT_ALG, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: opts.keyId, alg: JWT_ALG, use: 'sig' };
  // A key set (not a single key) so rotation is adding a key: tokens are matched by `kid`.
  const keySet = createLocalJWKSet({ keys: [jwk] });

  return {
    jwks: { keys: [jwk] },
    sign: (claims) =>
      new SignJWT({ role: claims.role, sid: claims.sid, av: claims.accountVersion ?? 0 })
        .setProtectedHeader({ alg: JWT_ALG, kid: opts.keyId, typ: 'at+jwt' })
        .setSubject(claims.sub)
        .setIssuer(opts.issuer)
        .setAudience(opts.audience)
        .setIssuedAt()
        .setExpirationTime(`${opts.accessTtlSec}s`)
        .sign(privateKey),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keySet, {
          algorithms: [JWT_ALG],
          issuer: opts.issuer,
          audience: opts.audience,
          typ: 'at+jwt',
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        const { sub, role, sid, av = 0 } = payload;
        if (
          typeof sub !== 'string' ||
          typeof sid !== 'string' ||
          (role !== 'user' && role !== 'admin') ||
          !Number.isSafeInteger(av) ||
          (av as number) < 0
        ) {
          throw new Error('token claims have the wrong shape');
        }
        return { sub, role, sid, accountVersion: av as number };
      } catch (cause) {
        throw unauthorized('invalid or expired access token', cause);
      }
    },
  };
}
