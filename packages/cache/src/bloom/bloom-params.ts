/**
 * Sizing of a Bloom filter from the number of items it must hold and the false-positive rate it
 * may have. Optimal sizes from B. H. Bloom, "Space/Time Trade-offs in Hash Coding with Allowable
 * Errors" (CACM 13(7), 1970), in the form given by A. Broder and M. Mitzenmacher, "Network
 * Applications of Bloom Filters: A Survey" (Internet Mathematics 1(4), 2004), §2.1:
 *   m = ceil(-n ln p / (ln 2)^2)   bits
 *   k = round(m / n · ln 2)        hash functions
 *   p' = (1 - e^(-k n / m))^k      false-positive rate actually expected with those integers
 */

/** Redis bitmaps are strings of at most 512 MiB, i.e. 2^32 bits. */
export const MAX_BLOOM_BITS = 2 ** 32;
/** Past ~30 hashes each lookup costs more than it saves; p = 1e-9 already needs only 30. */
export const MAX_BLOOM_HASHES = 30;

export interface BloomParams {
  /** Items the filter is sized for (n). Holding more raises the false-positive rate. */
  readonly expectedItems: number;
  /** Target false-positive rate (p), in (0, 1). */
  readonly falsePositiveRate: number;
  /** Bitmap size in bits (m), in [1, 2^32]. */
  readonly bits: number;
  /** Hash functions, i.e. bit positions per id (k), in [1, 30]. */
  readonly hashes: number;
  /** Memory of the bitmap in bytes, ceil(m / 8) (Redis adds a few dozen bytes of overhead). */
  readonly bytes: number;
  /** False-positive rate expected at `expectedItems` with these integer m and k. */
  readonly expectedFalsePositiveRate: number;
}

/**
 * Sizes a filter for `expectedItems` (integer ≥ 1) at `falsePositiveRate` (0 < p < 1).
 * Throws a RangeError for other inputs or when the bitmap would exceed 2^32 bits.
 */
export function bloomParams(expectedItems: number, falsePositiveRate: number): BloomParams {
  if (!Number.isSafeInteger(expectedItems) || expectedItems < 1) {
    throw new RangeError(`bloom: expectedItems must be an integer >= 1, got ${expectedItems}`);
  }
  if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
    throw new RangeError(`bloom: falsePositiveRate must be in (0, 1), got ${falsePositiveRate}`);
  }
  const n = expectedItems;
  const bits = Math.ceil((-n * Math.log(falsePositiveRate)) / Math.LN2 ** 2);
  if (bits > MAX_BLOOM_BITS) {
    throw new RangeError(`bloom: ${bits} bits exceed the 2^32 of a Redis bitmap; split the filter`);
  }
  const hashes = Math.min(MAX_BLOOM_HASHES, Math.max(1, Math.round((bits / n) * Math.LN2)));
  return Object.freeze({
    expectedItems: n,
    falsePositiveRate,
    bits,
    hashes,
    bytes: Math.ceil(bits / 8),
    expectedFalsePositiveRate: (1 - Math.exp((-hashes * n) / bits)) ** hashes,
  });
}
