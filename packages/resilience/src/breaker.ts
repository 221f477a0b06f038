import {
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  isBrokenCircuitError,
} from 'cockatiel';
import { isTransient, TransientError } from './errors.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Names the breaker in errors, logs, metrics and `GET /v1/admin/breakers`, e.g. `payment-gateway`. */
  name: string;
  /** Consecutive failures that open it (≥ 1). Default 5. */
  consecutiveFailures?: number;
  /** How long it stays open before one trial call is let through, ms. Default 5000. */
  halfOpenAfterMs?: number;
  /** Which errors count as failures. Default: transient ones (`isTransient`); others pass through. */
  isFailure?: (err: unknown) => boolean;
  /** Every state change, for logs and metrics. */
  onStateChange?: (state: BreakerState) => void;
  now?: () => number;
}

export interface BreakerSnapshot {
  name: string;
  state: BreakerState;
  /** When it last opened (ISO), while open or half-open. */
  openedAt?: string;
  /** When it lets a trial call through (ISO), while open. */
  retryAt?: string;
  consecutiveFailures: number;
  halfOpenAfterMs: number;
}

/** The breaker is open: the call was not made. Transient: answer 503 and retry after `retryAfterMs`. */
export class BreakerOpenError extends TransientError {
  override readonly name: string = 'BreakerOpenError';
  readonly breaker: string;
  readonly retryAfterMs: number;
  constructor(breaker: string, retryAfterMs: number, cause?: unknown) {
    super(`circuit breaker "${breaker}" is open; retry in ${Math.ceil(retryAfterMs / 1000)} s`, { cause });
    this.breaker = breaker;
    this.retryAfterMs = retryAfterMs;
  }
}

export const isBreakerOpenError = (e: unknown): e is BreakerOpenError =>
  e instanceof Error &&
  e.name === 'BreakerOpenError' &&
  typeof (e as BreakerOpenError).retryAfterMs === 'number';

export interface Breaker {
  readonly name: string;
  state(): BreakerState;
  snapshot(): BreakerSnapshot;
  /**
   * Runs `fn` unless the breaker is open (then rejects with {@link BreakerOpenError} without
   * calling it). While half-open one call runs as the trial; others are refused like when open.
   */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
  dispose(): void;
}

/**
 * A circuit breaker on cockatiel's: after `consecutiveFailures` failures in a row calls are
 * refused at once for `halfOpenAfterMs`, then one trial call decides — success closes it, failure
 * opens it again. Failures are transient errors by default: a declined card or a 4xx says the
 * dependency works.
 */
export function createBreaker(opts: BreakerOptions): Breaker {
  const now = opts.now ?? Date.now;
  const halfOpenAfterMs = opts.halfOpenAfterMs ?? 5000;
  const consecutiveFailures = opts.consecutiveFailures ?? 5;
  if (!Number.isInteger(consecutiveFailures) || consecutiveFailures < 1) {
    throw new RangeError(`breaker ${opts.name}: consecutiveFailures must be an integer ≥ 1`);
  }
  const policy = circuitBreaker(handleWhen(opts.isFailure ?? isTransient), {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(consecutiveFailures),
  });
  let openedAt: number | undefined;
  const stateOf = (s: CircuitState): BreakerState =>
    s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'half-open' : 'open';
  const listener = policy.onStateChange((s) => {
    const state = stateOf(s);
    if (state === 'open') openedAt = now();
    if (state === 'closed') openedAt = undefined;
    opts.onStateChange?.(state);
  });
  const retryAfterMs = () =>
    openedAt === undefined ? halfOpenAfterMs : Math.max(0, openedAt + halfOpenAfterMs - now());

  return {
    name: opts.name,
    state: () => stateOf(policy.state),
    snapshot() {
      const state = stateOf(policy.state);
      const snap: BreakerSnapshot = { name: opts.name, state, consecutiveFailures, halfOpenAfterMs };
      if (openedAt !== undefined && state !== 'closed') snap.openedAt = new Date(openedAt).toISOString();
      if (openedAt !== undefined && state === 'open')
        snap.retryAt = new Date(openedAt + halfOpenAfterMs).toISOString();
      return snap;
    },
    async execute(fn, signal) {
      try {
        return await policy.execute(({ signal: s }) => fn(s), signal);
      } catch (err) {
        // Open, or half-open with its trial call already running: refused without a call. A
        // refusal while half-open waits at most about as long as the trial call.
        if (isBrokenCircuitError(err))
          throw new BreakerOpenError(opts.name, Math.max(retryAfterMs(), 250), err);
        throw err;
      }
    },
    dispose: () => listener.dispose(),
  };
}
