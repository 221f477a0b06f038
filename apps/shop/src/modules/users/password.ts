import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { prepareOpaqueString } from './opaque-string.ts';

/** scrypt cost parameters; stored with each hash so they can be raised later. */
export interface ScryptCost {
  /** CPU/memory cost, a power of two. Default 2^15 (32 MiB per hash with r = 8). */
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

/** Tests hash many passwords: a cheaper (still salted, still scrypt) cost keeps them fast. */
export const passwordCostFor = (profile: string): ScryptCost =>
  profile === 'test' ? { N: 2 ** 12, r: 8, p: 1 } : DEFAULT_COST;
const KEY_LENGTH = 32;

/**
 * Hash formats, by what was hashed: `scrypt-opaque` the password prepared per RFC 8265
 * OpaqueString (NFC; opaque-string.ts); `scrypt` (before it) the password under NFKC. Hashes of
 * the old format keep verifying the way they were made.
 */
const ALG = 'scrypt-opaque';
const LEGACY_ALG = 'scrypt';

/** Whether `password` can be a password at all (RFC 8265 OpaqueString); registration refuses others. */
export const isValidPassword = (password: string): boolean => prepareOpaqueString(password) !== undefined;

// scrypt cannot be stopped once it runs on the thread pool: a signal that already aborted (the
// client has gone) skips it.
const derive = (input: string, salt: Buffer, cost: ScryptCost, signal?: AbortSignal) =>
  new Promise<Buffer>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
    scrypt(input, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });

/**
 * Hashes a password as `scrypt-opaque$N$r$p$salt$hash` (base64url). Runs on libuv's thread pool.
 * Throws a TypeError for a password {@link isValidPassword} refuses (callers validate first).
 */
export async function hashPassword(
  password: string,
  cost: ScryptCost = DEFAULT_COST,
  signal?: AbortSignal,
): Promise<string> {
  const prepared = prepareOpaqueString(password);
  if (prepared === undefined) {
    throw new TypeError('the password holds characters RFC 8265 OpaqueString does not allow');
  }
  const salt = randomBytes(16);
  const key = await derive(prepared, salt, cost, signal);
  return [ALG, cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * Constant-time comparison; a malformed stored hash never matches. A password that is not a
 * valid OpaqueString matches nothing, after the same scrypt work as any other (timing).
 */
export async function verifyPassword(
  password: string,
  stored: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if ((alg !== ALG && alg !== LEGACY_ALG) || !salt || !hash) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every(Number.isSafeInteger)) return false;
  const prepared = prepareOpaqueString(password);
  const input = prepared === undefined ? '' : alg === LEGACY_ALG ? password.normalize('NFKC') : prepared;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(input, Buffer.from(salt, 'base64url'), cost, signal);
  const equal = actual.length === expected.length && timingSafeEqual(actual, expected);
  return prepared !== undefined && equal;
}
