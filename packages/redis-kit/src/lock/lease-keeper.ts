import { withTimeout } from '@surge/resilience';
import { LockNotHeldError } from './lock-errors.ts';

export interface LeaseKeeperOptions {
  /** Names the lock in errors. */
  lock: string;
  /** The lease each acquisition or renewal grants in Redis, ms. */
  ttlMs: number;
  /** Time between renewals, ms. */
  renewEveryMs: number;
  /** Bound on one renewal, ms; a renewal that takes longer counts as failed. */
  timeoutMs: number;
  /** When the acquisition that granted the first lease was sent, on `now`'s clock. */
  acquiredAt: number;
  /** Sends one renewal: true while the lock is ours, false once it is not. Rejects on failure. */
  renew: (signal: AbortSignal) => Promise<boolean>;
  /** Monotonic clock, ms. Default `performance.now`. */
  now?: () => number;
}

export interface LeaseKeeper {
  /** Aborts with a {@link LockNotHeldError} once the lock may no longer be ours. */
  readonly signal: AbortSignal;
  /** Stops renewing and aborts the signal (`released`). Idempotent. */
  stop(): void;
}

/**
 * Clock drift allowance, ms: the lease is taken to end this much before its TTL, as Redlock does
 * (https://redis.io/docs/latest/develop/use/patterns/distributed-locks/: 1 % of the TTL + 2 ms).
 */
export const driftMs = (ttlMs: number): number => Math.ceil(ttlMs * 0.01) + 2;

/**
 * Renews a held lock every `renewEveryMs` and aborts `signal` as soon as the lock may no longer
 * be ours: when a renewal answers that it is not (`lost`), or when renewals failed until the
 * lease ran out (`unconfirmed`). A lease counts from the moment its request was *sent*, less a
 * drift allowance, so the signal aborts no later than Redis lets the key expire: before another
 * holder can have it. A failed renewal (error or `timeoutMs`) is retried at the next period while
 * the lease lasts, so one slow reply does not cost the lock.
 */
export function keepLease(opts: LeaseKeeperOptions): LeaseKeeper {
  const now = opts.now ?? (() => performance.now());
  const controller = new AbortController();
  let leaseEnd = opts.acquiredAt + opts.ttlMs - driftMs(opts.ttlMs);
  let renewTimer: NodeJS.Timeout | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  let lastError: unknown;

  const end = (reason: LockNotHeldError) => {
    if (controller.signal.aborted) return;
    clearTimeout(renewTimer);
    clearTimeout(expiryTimer);
    controller.abort(reason);
  };
  const armExpiry = () => {
    clearTimeout(expiryTimer);
    const cause = () => (lastError === undefined ? undefined : { cause: lastError });
    expiryTimer = setTimeout(
      () => end(new LockNotHeldError(opts.lock, 'unconfirmed', cause())),
      Math.max(0, leaseEnd - now()),
    );
    expiryTimer.unref();
  };
  const schedule = () => {
    if (controller.signal.aborted) return;
    renewTimer = setTimeout(() => void renewOnce(), opts.renewEveryMs);
    renewTimer.unref();
  };
  async function renewOnce(): Promise<void> {
    const sentAt = now();
    let ours: boolean;
    try {
      ours = await withTimeout((signal) => opts.renew(signal), opts.timeoutMs, {
        what: `renewal of lock ${opts.lock}`,
      });
    } catch (err) {
      lastError = err;
      return schedule();
    }
    if (controller.signal.aborted) return;
    if (!ours) return end(new LockNotHeldError(opts.lock, 'lost'));
    lastError = undefined;
    leaseEnd = sentAt + opts.ttlMs - driftMs(opts.ttlMs);
    armExpiry();
    schedule();
  }

  armExpiry();
  schedule();
  return {
    signal: controller.signal,
    stop: () => end(new LockNotHeldError(opts.lock, 'released')),
  };
}
