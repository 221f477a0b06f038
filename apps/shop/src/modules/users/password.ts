import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

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

// scrypt cannot be stopped once it runs on the thread pool: a signal that already aborted (the
// client has gone) skips it.
const derive = (password: string, salt: Buffer, cost: ScryptCost, signal?: AbortSignal) =>
  new Promise<Buffer>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64url). Runs on libuv's thread pool. */
export async function hashPassword(
  password: string,
  cost: ScryptCost = DEFAULT_COST,
  signal?: AbortSignal,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost, signal);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time comparison; a malformed stored hash never matches. */
export async function verifyPassword(
  password: string,
  stored: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every(Number.isSafeInteger)) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), cost, signal);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
