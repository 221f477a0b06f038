import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

const FORMAT =
  'JWT_PRIVATE_KEY must be the PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----") of an ES256 (P-256) key';
const PUBLIC_FORMAT =
  'JWT_PUBLIC_KEY must be the SPKI PEM ("-----BEGIN PUBLIC KEY-----") of an ES256 (P-256) key';

const isP256 = (key: KeyObject) =>
  key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';

/** `createPrivateKey`/`createPublicKey`, or undefined when the text is not such a key. */
function parse<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

/**
 * Checks the token signing keys at start-up, synchronously and without a stack trace (issue 8,
 * finding 13: a garbage key used to surface as an exception from `jose` once the sessions
 * module was built): both or neither, the PEM kinds `jose` imports (PKCS#8, SPKI), the ES256
 * curve, and that the public key is the private key's. Returns one line per problem.
 */
export function jwtKeyProblems(privatePem: string, publicPem: string): string[] {
  if (privatePem === '' && publicPem === '') return [];
  if (privatePem === '' || publicPem === '') {
    return [
      'JWT_PRIVATE_KEY and JWT_PUBLIC_KEY must be set together (or both left empty outside production)',
    ];
  }
  const problems: string[] = [];
  const privateKey = privatePem.includes('-----BEGIN PRIVATE KEY-----')
    ? parse(() => createPrivateKey(privatePem))
    : undefined;
  if (privateKey === undefined || !isP256(privateKey)) problems.push(FORMAT);
  const publicKey = publicPem.includes('-----BEGIN PUBLIC KEY-----')
    ? parse(() => createPublicKey(publicPem))
    : undefined;
  if (publicKey === undefined || !isP256(publicKey)) problems.push(PUBLIC_FORMAT);
  if (problems.length === 0 && privateKey && publicKey) {
    const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    if (!derived.equals(publicKey.export({ type: 'spki', format: 'der' }))) {
      problems.push('JWT_PUBLIC_KEY is not the public key of JWT_PRIVATE_KEY');
    }
  }
  return problems;
}
