import type { Handler } from '../ports.ts';

/** A middleware wraps a handler (Watermill's shape): `(next) => handler`. */
export type Middleware = (next: Handler) => Handler;

/** Applies middlewares outermost first: `compose(h, a, b)` runs a → b → h. */
export function compose(handler: Handler, ...middlewares: readonly Middleware[]): Handler {
  return middlewares.reduceRight<Handler>((next, mw) => mw(next), handler);
}

/** Sleeps `ms`, resolving early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
