import { hash } from 'node:crypto';
import type { BloomParams } from './bloom-params.ts';

/**
 * The `hashes` bit offsets of `id` in a bitmap of `bits` bits, each in [0, bits).
 *
 * One SHA-256 of the UTF-8 id gives two 64-bit halves h1, h2 (the first 16 bytes); the k positions
 * are g_i = (h1 + i·h2) mod m, i = 0..k-1: A. Kirsch and M. Mitzenmacher, "Less Hashing, Same
 * Performance: Building a Better Bloom Filter" (ESA 2006) show two hashes simulate k independent
 * ones with the same asymptotic false-positive rate. h2 ≡ 0 (mod m) would collapse all k positions
 * into one, so it is replaced by 1. SHA-256 is not needed for security, only for a stable,
 * well-mixed hash available everywhere (also in FIPS builds, unlike MD5).
 *
 * Deterministic across processes and versions: changing it invalidates every stored filter.
 */
export function bloomPositions(id: string, params: Pick<BloomParams, 'bits' | 'hashes'>): number[] {
  const { bits, hashes } = params;
  const digest = hash('sha256', id, 'buffer');
  const m = BigInt(bits);
  // Reduced once with BigInt; below 2^32 each, so h1 + i·h2 (i ≤ 30) stays an exact double.
  const h1 = Number(digest.readBigUInt64BE(0) % m);
  const h2 = Number(digest.readBigUInt64BE(8) % m) || 1;
  const positions = new Array<number>(hashes);
  for (let i = 0; i < hashes; i++) positions[i] = (h1 + i * h2) % bits;
  return positions;
}
