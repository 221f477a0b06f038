/**
 * Why a holder no longer holds its lock:
 * - `released`: it released the lock itself;
 * - `lost`: a renewal found the lock gone or held by another (it expired in Redis: a pause longer
 *   than the TTL, a Redis restart or failover);
 * - `unconfirmed`: renewals failed (Redis unreachable or slow) until the lease, counted from the
 *   last confirmed renewal, ran out: another may take the lock now.
 */
export type LockNotHeldReason = 'released' | 'lost' | 'unconfirmed';

/** The reason a held lock's `signal` aborts with: code `E_LOCK_NOT_HELD`, keeps the renewal error as `cause`. */
export class LockNotHeldError extends Error {
  override readonly name = 'LockNotHeldError';
  readonly code = 'E_LOCK_NOT_HELD';
  readonly lock: string;
  readonly reason: LockNotHeldReason;
  constructor(lock: string, reason: LockNotHeldReason, options?: ErrorOptions) {
    super(`lock ${lock} is no longer held (${reason})`, options);
    this.lock = lock;
    this.reason = reason;
  }
}

/** `withLock` could not take the lock within its `waitMs`: code `E_LOCK_BUSY`. Transient. */
export class LockBusyError extends Error {
  override readonly name = 'LockBusyError';
  readonly code = 'E_LOCK_BUSY';
  readonly transient = true;
  readonly lock: string;
  constructor(lock: string, waitMs: number) {
    super(`lock ${lock} is held by another; waited ${waitMs} ms`);
    this.lock = lock;
  }
}

/** True for a {@link LockNotHeldError} (by `code`, so copies of this package match). */
export const isLockNotHeldError = (e: unknown): e is LockNotHeldError =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'E_LOCK_NOT_HELD';

/** True for a {@link LockBusyError} (by `code`). */
export const isLockBusyError = (e: unknown): e is LockBusyError =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'E_LOCK_BUSY';
