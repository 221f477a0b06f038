import { silentLog, type Log } from '@surge/resilience';

/** Options of {@link createFencedLock}. */
export interface FencedLockOptions {
  /** Prefix of the lock keys: `<keyPrefix>{<name>}` and `<keyPrefix>{<name>}:fencing`. Default `'lock:'`. */
  keyPrefix?: string;
  /**
   * The lease each acquisition or renewal grants, ms: how long a crashed holder blocks the lock,
   * and how long a holder cut off from Redis may believe it holds it. Default 30,000.
   */
  ttlMs?: number;
  /** Time between renewals while held, ms. Default ttlMs / 3 (two retries before the lease ends). */
  renewEveryMs?: number;
  /** Bound on each Redis call (acquire, renew, release), ms. Default min(renewEveryMs, 2,000). */
  timeoutMs?: number;
  /** Receives failed releases (`warn`; the lock expires by itself). Default silent. */
  log?: Log;
  /** Monotonic clock, ms, for the lease bookkeeping. Default `performance.now`. */
  now?: () => number;
}

export type ResolvedFencedLockOptions = Readonly<Required<FencedLockOptions>>;

const positiveInt = (name: string, value: number): number => {
  if (!(Number.isSafeInteger(value) && value >= 1)) {
    throw new RangeError(`fenced lock: ${name} must be an integer >= 1, got ${value}`);
  }
  return value;
};

/** Applies the defaults and checks the options once; throws a RangeError naming a bad one. */
export function fencedLockOptions(opts: FencedLockOptions = {}): ResolvedFencedLockOptions {
  const ttlMs = positiveInt('ttlMs', opts.ttlMs ?? 30_000);
  const renewEveryMs = positiveInt('renewEveryMs', opts.renewEveryMs ?? Math.max(1, Math.floor(ttlMs / 3)));
  const timeoutMs = positiveInt('timeoutMs', opts.timeoutMs ?? Math.min(renewEveryMs, 2_000));
  if (renewEveryMs >= ttlMs) {
    throw new RangeError(`fenced lock: renewEveryMs (${renewEveryMs}) must be < ttlMs (${ttlMs})`);
  }
  return Object.freeze({
    keyPrefix: opts.keyPrefix ?? 'lock:',
    ttlMs,
    renewEveryMs,
    timeoutMs,
    log: opts.log ?? silentLog,
    now: opts.now ?? (() => performance.now()),
  });
}
