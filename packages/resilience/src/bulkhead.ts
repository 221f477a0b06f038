import { bulkhead as cockatielBulkhead, isBulkheadRejectedError } from 'cockatiel';
import { OverloadedError } from './overloaded-error.ts';
import { withTimeout } from './timeout.ts';

export interface BulkheadOptions {
  /** Names the bulkhead in errors and logs, e.g. `mysql`. */
  name: string;
  /** Calls that may hold a slot at once (≥ 1). */
  maxConcurrent: number;
  /** Calls that may wait for a slot (≥ 0); the next one is refused at once (`queue-full`). */
  maxQueued: number;
  /**
   * The last places of that queue, kept for calls made with `{ priority: true }`: others are
   * refused once only these are left. Default 0. (The queue stays in arrival order.)
   */
  reserved?: number;
  /** Longest a call waits in the queue, ms; then it is refused (`queue-timeout`). */
  maxWaitMs: number;
  /** The `retryAfterMs` of the refusals. Default 1000. */
  retryAfterMs?: number;
  /**
   * Called for each call that did not run: refused (`queue-full`, `queue-timeout`) or given up by
   * its caller while waiting (`abandoned`: its signal aborted). For metrics and throttled logs.
   */
  onReject?: (reason: BulkheadRefusal) => void;
}

const NEVER = new AbortController().signal;

/** Why a call did not run (see `onReject`). */
export type BulkheadRefusal = 'queue-full' | 'queue-timeout' | 'abandoned';

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

export interface CallOptions {
  /** May take the reserved places of the queue. Default false. */
  priority?: boolean;
}

export interface Bulkhead {
  /**
   * Runs `work` in a slot, after waiting at most `maxWaitMs` for one. Rejects with
   * {@link OverloadedError} (`queue-full`, `queue-timeout`) without running `work`, with
   * `signal`'s reason when it aborts while waiting (then `work` never runs either), or with what
   * `work` rejects with. `work` gets `signal` to pass on.
   */
  run<T>(work: (signal?: AbortSignal) => Promise<T>, signal?: AbortSignal, options?: CallOptions): Promise<T>;
  /**
   * Takes a slot and holds it until the returned {@link Release} is called — for a resource used
   * across callbacks (a pooled connection). Rejects like `run`.
   */
  acquire(signal?: AbortSignal, options?: CallOptions): Promise<Release>;
  /** Slots held now. */
  readonly active: number;
  /** Calls waiting now (including ones whose caller already gave up, until their turn). */
  readonly queued: number;
}

/**
 * A bulkhead with a bounded queue and a wait budget: cockatiel's `bulkhead` (which counts slots
 * and queues in order) plus the two things it lacks — a call never waits longer than
 * `maxWaitMs`, and a slot can be held beyond one function call. A caller that gives up (its
 * signal aborts, or the wait budget runs out) never runs: cockatiel skips aborted entries when
 * their turn comes, and the entry holds its queue place until then.
 */
export function createBulkhead(opts: BulkheadOptions): Bulkhead {
  const slots = cockatielBulkhead(opts.maxConcurrent, opts.maxQueued);
  const retryAfterMs = opts.retryAfterMs ?? 1000;
  const reserved = opts.reserved ?? 0;
  const refuse = (reason: 'queue-full' | 'queue-timeout', cause: unknown) => {
    opts.onReject?.(reason);
    return new OverloadedError(opts.name, reason, retryAfterMs, { cause });
  };

  async function acquire(signal?: AbortSignal, options?: CallOptions): Promise<Release> {
    if (slots.executionSlots === 0 && options?.priority !== true && slots.queueSlots <= reserved) {
      throw refuse('queue-full', undefined);
    }
    let release: Release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let abandoned = false;
    const enter = (queueSignal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        // The slot is held until `release` resolves `held`; an entry whose caller has gone frees it at once.
        const inSlot = slots.execute(() => (abandoned ? Promise.resolve() : (resolve(), held)), queueSignal);
        inSlot.catch(reject); // refused (full) or skipped (aborted before its turn)
      });
    try {
      // A free slot is entered synchronously (no timer armed); only a wait gets a budget.
      if (slots.executionSlots > 0 && signal?.aborted !== true) await enter(NEVER);
      else await withTimeout(enter, opts.maxWaitMs, { signal, what: `${opts.name} bulkhead wait` });
    } catch (err) {
      abandoned = true;
      release(); // in case the slot was granted in the same tick: never leak it
      if (isBulkheadRejectedError(err)) throw refuse('queue-full', err);
      if (signal?.aborted) {
        opts.onReject?.('abandoned');
        throw err;
      }
      throw refuse('queue-timeout', err);
    }
    return release;
  }

  return {
    acquire,
    async run(work, signal, options) {
      const release = await acquire(signal, options);
      try {
        return await work(signal);
      } finally {
        release();
      }
    },
    get active() {
      return opts.maxConcurrent - slots.executionSlots;
    },
    get queued() {
      return opts.maxQueued - slots.queueSlots;
    },
  };
}
