import { AsyncLocalStorage } from 'node:async_hooks';

/** What happened during one `getOrLoad` call; read after bentocache's `getOrSet` settles. */
export interface CallRecord {
  /** From `LoadFailures.ticket()` at the start, to tell which failures the call was waiting on. */
  readonly ticket: number;
  /** Our fill path (fill.ts) ran for this call. */
  filled: boolean;
  /** bentocache's `cache:hit` for this call: which tier answered, and whether it was stale. */
  hit?: { layer: 'l1' | 'l2'; graced: boolean };
  /** The answer of the fill path, when it answered this call itself. */
  produced?: { value: unknown; source: 'load' | 'stale' | 'found' };
}

/**
 * bentocache reports which tier answered only through its emitter (`cache:hit`), once per
 * operation, not to the caller. Running each call in its own AsyncLocalStorage scope lets the
 * listener attribute the event to the call that caused it, even with 500 calls of one key in
 * flight. Events after the fill path started (its own reads) are not the call's answer: ignored.
 */
const scope = new AsyncLocalStorage<CallRecord>();

export const runInCall = <T>(call: CallRecord, fn: () => Promise<T>): Promise<T> => scope.run(call, fn);

/** Listener for bentocache's `cache:hit` event. */
export function recordHit(event: { layer?: 'l1' | 'l2'; graced?: boolean }): void {
  const call = scope.getStore();
  if (call && !call.filled && !call.hit)
    call.hit = { layer: event.layer ?? 'l1', graced: event.graced === true };
}
