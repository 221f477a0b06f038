import { jitter, sleep } from '@surge/resilience';
import type { AcquireResult, HeldLock } from './cluster-lock.ts';

export type LockWaitResult =
  | { outcome: 'value'; value: unknown }
  | { outcome: 'lock'; lock: HeldLock }
  | { outcome: 'timeout' }
  | { outcome: 'unavailable' };

export interface LockWaitDeps {
  /** The fresh value in L1/L2, or undefined. */
  read(): Promise<unknown>;
  tryAcquire(): Promise<AcquireResult>;
  now?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
  random?: () => number;
}

/**
 * Waits while another instance holds the fill lock of a key: every ~`pollMs` (jittered ±50 %)
 * looks for the value it writes, and tries to take the lock in case the holder released it
 * without writing (its loader failed) or crashed (the lock expired). Gives up after `waitMs`, or
 * at once when Redis fails. Polling rather than pub/sub: one GET per poll per process (bentocache
 * already coalesces callers per process) and nothing to lose when a message is missed.
 */
export async function waitForFill(
  deps: LockWaitDeps,
  opts: { waitMs: number; pollMs: number },
): Promise<LockWaitResult> {
  const now = deps.now ?? Date.now;
  const pause = deps.sleep ?? sleep;
  const random = deps.random ?? Math.random;
  const deadline = now() + opts.waitMs;
  for (;;) {
    const left = deadline - now();
    if (left <= 0) return { outcome: 'timeout' };
    await pause(Math.min(left, jitter(opts.pollMs, 0.5, random)));
    const value = await deps.read();
    if (value !== undefined) return { outcome: 'value', value };
    const lock = await deps.tryAcquire();
    if (lock === 'unavailable') return { outcome: 'unavailable' };
    if (lock !== 'busy') return { outcome: 'lock', lock };
  }
}
