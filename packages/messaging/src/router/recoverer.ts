import type { Middleware } from './middleware.ts';

/**
 * Turns anything a handler throws — synchronously, or a non-Error value — into a rejected
 * promise with an Error, so one bad handler can never take the consumer down.
 */
export const recoverer: Middleware = (next) => async (delivery, signal) => {
  try {
    await next(delivery, signal);
  } catch (err) {
    if (err instanceof Error) throw err;
    throw new Error(`handler threw a non-Error value: ${String(err)}`, { cause: err });
  }
};
