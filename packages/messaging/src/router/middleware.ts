import type { Handler } from '../ports.ts';

/** A middleware wraps a handler (Watermill's shape): `(next) => handler`. */
export type Middleware = (next: Handler) => Handler;

/** Applies middlewares outermost first: `compose(h, a, b)` runs a → b → h. */
export function compose(handler: Handler, ...middlewares: readonly Middleware[]): Handler {
  return middlewares.reduceRight<Handler>((next, mw) => mw(next), handler);
}
