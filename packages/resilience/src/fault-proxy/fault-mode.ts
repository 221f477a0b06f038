/**
 * What a fault proxy ({@link startFaultProxy}) does to the traffic it carries. A new mode applies
 * at once, to open connections and new ones alike:
 * - `pass`: forwards both ways untouched — the healed state.
 * - `cut`: the server is gone: every open connection is closed (FIN both ways) and new ones are
 *   refused (the listener closes, so clients get `ECONNREFUSED`).
 * - `refuse`: no new connections (`ECONNREFUSED`); open ones keep passing.
 * - `blackHole`: a frozen network: connections are accepted and stay open, but nothing moves
 *   either way — data, ends and resets wait in order, and a new connection reaches the target
 *   only after the mode changes. Then everything flows as if TCP's retransmissions finally got
 *   through. Clients see timeouts, never errors.
 * - `latency`: every chunk, in each direction, is delayed `ms ± jitterMs` (uniform); order is
 *   kept, so a chunk never overtakes an earlier one.
 * - `reset`: every open connection is reset (RST both ways: `ECONNRESET`), and so is each new one
 *   as soon as it is accepted.
 */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'cut' }
  | { kind: 'refuse' }
  | { kind: 'blackHole' }
  | {
      kind: 'latency';
      /** Added to every chunk, ms (≥ 0). */
      ms: number;
      /** Spread around `ms`, ms, 0 ≤ jitterMs ≤ ms. Default 0. */
      jitterMs?: number;
    }
  | { kind: 'reset' };

const KINDS = new Set(['pass', 'cut', 'refuse', 'blackHole', 'latency', 'reset']);

/** Returns `mode` frozen, or throws a RangeError naming what is wrong with it. */
export function checkFaultMode(mode: FaultMode): FaultMode {
  if (!KINDS.has(mode.kind)) throw new RangeError(`fault proxy: unknown mode ${String(mode.kind)}`);
  if (mode.kind === 'latency') {
    const jitterMs = mode.jitterMs ?? 0;
    if (!(Number.isFinite(mode.ms) && mode.ms >= 0)) {
      throw new RangeError(`fault proxy: latency ms must be a finite number ≥ 0, got ${mode.ms}`);
    }
    if (!(jitterMs >= 0 && jitterMs <= mode.ms)) {
      throw new RangeError(`fault proxy: latency jitterMs must be in [0, ms], got ${jitterMs}`);
    }
  }
  return Object.freeze({ ...mode });
}

/** True when the mode accepts connections (the listener is open). */
export const acceptsConnections = (mode: FaultMode): boolean => mode.kind !== 'cut' && mode.kind !== 'refuse';

/**
 * The delay of the next chunk under `mode`, ms: `ms ± jitterMs` drawn uniformly for `latency`,
 * 0 otherwise. `random` returns a number in [0, 1), like `Math.random`.
 */
export function chunkDelayMs(mode: FaultMode, random: () => number = Math.random): number {
  if (mode.kind !== 'latency') return 0;
  const jitterMs = mode.jitterMs ?? 0;
  return Math.max(0, mode.ms + jitterMs * (2 * random() - 1));
}
