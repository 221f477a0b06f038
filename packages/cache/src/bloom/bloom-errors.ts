/**
 * Stable codes of a rebuild that did not swap in a new filter (the live filter is unchanged):
 * - `E_BLOOM_REBUILD_BUSY`: another rebuild of the same filter is running (any instance);
 * - `E_BLOOM_REBUILD_LOST`: the rebuild's lease expired (a batch of the source took longer than
 *   `rebuildLeaseMs`) or its keys vanished, so adds of other instances may have missed it.
 */
export type BloomRebuildErrorCode = 'E_BLOOM_REBUILD_BUSY' | 'E_BLOOM_REBUILD_LOST';

export class BloomRebuildError extends Error {
  override readonly name = 'BloomRebuildError';
  readonly code: BloomRebuildErrorCode;

  constructor(code: BloomRebuildErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** True for a `BloomRebuildError` (with `code`, if given); by name, not `instanceof`. */
export function isBloomRebuildError(e: unknown, code?: BloomRebuildErrorCode): e is BloomRebuildError {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as { name?: unknown; code?: unknown };
  return err.name === 'BloomRebuildError' && (code === undefined || err.code === code);
}
