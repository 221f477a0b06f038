import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A loader for tests (a chaos helper in bentocache's spirit): counts calls, tracks how many run at
 * once, and can be told to be slow, to fail, or to hang until aborted.
 */
export function loaderProbe<T>(value: (key: string) => T | undefined) {
  const state = {
    calls: 0,
    active: 0,
    maxActive: 0,
    delayMs: 0,
    fail: undefined as Error | undefined,
    hang: false,
    aborted: 0,
    /** Loads that ran to the end (value produced): lets tests tell "answered before it finished". */
    finished: 0,
  };
  const load = async (key: string, signal: AbortSignal): Promise<T | undefined> => {
    state.calls++;
    state.active++;
    state.maxActive = Math.max(state.maxActive, state.active);
    try {
      if (state.hang) {
        await new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            state.aborted++;
            reject(signal.reason as Error);
          }),
        );
      }
      if (state.delayMs > 0) await sleep(state.delayMs);
      if (state.fail) throw state.fail;
      state.finished++;
      return value(key);
    } finally {
      state.active--;
    }
  };
  return Object.assign(state, {
    /** The loader `getOrLoad` wants for `key`. */
    for: (key: string) => (signal: AbortSignal) => load(key, signal),
    load,
  });
}
