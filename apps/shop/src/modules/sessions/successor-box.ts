import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The successor of a rotated refresh secret, kept in Redis for the retry grace so a retry can be
 * given the same new token (rotate-refresh-3.lua). It is sealed with AES-256-GCM under a key
 * derived (HKDF-SHA256) from the *previous* secret, which Redis holds only as a SHA-256 hash: a
 * reader of Redis learns nothing usable, and only the client presenting the previous secret can
 * open it. The family id is bound as associated data.
 */
const INFO = Buffer.from('surge refresh-token successor v1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

const keyFrom = (previousSecret: string, familyId: string) =>
  Buffer.from(hkdfSync('sha256', Buffer.from(previousSecret, 'base64url'), familyId, INFO, 32));

/** Seals `successor` (a base64url secret) under `previousSecret`; base64url `iv ‖ ciphertext ‖ tag`. */
export function sealSuccessor(previousSecret: string, familyId: string, successor: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(previousSecret, familyId), iv);
  cipher.setAAD(Buffer.from(familyId));
  const sealed = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** Opens what {@link sealSuccessor} sealed; `undefined` when it was sealed under another secret. */
export function openSuccessor(previousSecret: string, familyId: string, box: string): string | undefined {
  const bytes = Buffer.from(box, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keyFrom(previousSecret, familyId),
      bytes.subarray(0, IV_BYTES),
    );
    decipher.setAAD(Buffer.from(familyId));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  } catch {
    return undefined;
  }
}
