import { randomUUID } from 'node:crypto';
import { backoffMs, sleep, withTimeout } from '@surge/resilience';
import type { RedisClient } from '../scripts/define-script.ts';
import { fencedLockOptions, type FencedLockOptions } from './fenced-lock-options.ts';
import { keepLease } from './lease-keeper.ts';
import { LockBusyError } from './lock-errors.ts';
import { acquireScript, renewScript, unlockScript } from './lock-scripts.ts';

/** A lock this process holds, renewed in the background until released or lost. */
export interface FencedLock {
  readonly name: string;
  /**
   * Grows with every acquisition of this name (1, 2, …; a safe integer). Send it with every
   * write to the protected resource and have the resource refuse a token lower than the highest
   * it has seen: that, not the lock, stops a holder that lost the lock without knowing.
   */
  readonly fencingToken: number;
  /**
   * Aborts with a `LockNotHeldError` (`E_LOCK_NOT_HELD`) when the lock may no longer be ours —
   * a renewal found it gone or taken (`lost`), renewals failed until the lease ran out
   * (`unconfirmed`) — at the latest when Redis would let it expire; and on `release` (`released`).
   */
  readonly signal: AbortSignal;
  /**
   * Stops renewing and deletes the lock if it is still ours: resolves true, or false when it
   * was not (expired, taken; the other holder's lock stays intact). Rejects when Redis fails or
   * takes longer than `timeoutMs`; the lock then expires by itself after the TTL.
   */
  release(): Promise<boolean>;
}

/** Options of one {@link FencedLocks.withLock} call. */
export interface WithLockOptions {
  /** How long to wait for a lock another holds, ms, polling with jittered backoff. Default 0 (try once). */
  waitMs?: number;
  /** Stops the wait (rejecting with its reason) and aborts the signal `fn` receives. */
  signal?: AbortSignal;
}

/**
 * Locks with fencing tokens on one Redis (ADR 0009; the pattern: Kleppmann 2016, and
 * https://redis.io/docs/latest/develop/use/patterns/distributed-locks/): `fenced-lock-2.lua`
 * takes the lock and INCRs a per-name counter in one step; while held it is renewed every
 * `renewEveryMs`; its `signal` aborts once it may no longer be ours; only the holder (a random
 * id per acquisition) can renew or release it. Each lock name keeps a counter key that never
 * expires, so the tokens grow across holders for as long as Redis keeps its data (a Redis that
 * loses its data — no AOF, a failover to a lagging replica — restarts them: the resource should
 * then also refuse work whose token is not above what it recorded). Both keys share the hash
 * tag `{name}`, so it works on a Cluster.
 */
export function createFencedLock(redis: RedisClient, options: FencedLockOptions = {}) {
  const opts = fencedLockOptions(options);
  const bounded = <T>(what: string, work: () => Promise<T>) =>
    withTimeout(() => work(), opts.timeoutMs, { what });

  async function tryAcquire(name: string): Promise<FencedLock | undefined> {
    if (name.length === 0) throw new TypeError('fenced lock: the lock name must not be empty');
    const key = `${opts.keyPrefix}{${name}}`;
    const holder = randomUUID();
    const acquiredAt = opts.now();
    const taken = await bounded(`acquire of lock ${name}`, () =>
      acquireScript.run(redis, [key, `${key}:fencing`], [holder, opts.ttlMs]),
    );
    if (!taken) return undefined;
    const keeper = keepLease({
      lock: name,
      ttlMs: opts.ttlMs,
      renewEveryMs: opts.renewEveryMs,
      timeoutMs: opts.timeoutMs,
      acquiredAt,
      now: opts.now,
      renew: async () => (await renewScript.run(redis, [key], [holder, opts.ttlMs])) === 'renewed',
    });
    return {
      name,
      fencingToken: taken.fencingToken,
      signal: keeper.signal,
      async release() {
        keeper.stop();
        const result = await bounded(`release of lock ${name}`, () =>
          unlockScript.run(redis, [key], [holder]),
        );
        return result === 'released';
      },
    };
  }

  return {
    /**
     * Takes the lock `name` unless another holds it: the held lock, or undefined. Rejects when
     * Redis fails or takes longer than `timeoutMs` (the lock may then have been taken by nobody
     * who knows it; it expires after `ttlMs`), and with a TypeError for an empty name.
     */
    tryAcquire,

    /**
     * Runs `fn(signal, fencingToken)` holding the lock `name`, then releases it (also when `fn`
     * throws) and settles as `fn` did. `signal` aborts when the lock is lost or `opts.signal`
     * aborts: stop then, and pass `fencingToken` to the resource. Rejects with
     * {@link LockBusyError} (`E_LOCK_BUSY`) when another held the lock for all of `waitMs`, with
     * Redis' error when acquiring fails, or with `opts.signal`'s reason. A failed release is
     * logged, not thrown (the lock expires after `ttlMs`).
     */
    async withLock<T>(
      name: string,
      fn: (signal: AbortSignal, fencingToken: number) => Promise<T>,
      callOpts: WithLockOptions = {},
    ): Promise<T> {
      const waitMs = callOpts.waitMs ?? 0;
      const deadline = opts.now() + waitMs;
      let lock: FencedLock | undefined;
      for (let attempt = 1; ; attempt++) {
        callOpts.signal?.throwIfAborted();
        lock = await tryAcquire(name);
        if (lock) break;
        const left = deadline - opts.now();
        if (left <= 0) throw new LockBusyError(name, waitMs);
        await sleep(Math.min(left, backoffMs(attempt, { baseMs: 20, maxMs: 1_000 })), callOpts.signal);
      }
      const signal = callOpts.signal ? AbortSignal.any([lock.signal, callOpts.signal]) : lock.signal;
      try {
        callOpts.signal?.throwIfAborted();
        return await fn(signal, lock.fencingToken);
      } finally {
        await lock.release().catch((err: unknown) => {
          opts.log.warn({ lock: name, err }, 'lock release failed; it expires by itself');
        });
      }
    },
  };
}

export type FencedLocks = ReturnType<typeof createFencedLock>;
