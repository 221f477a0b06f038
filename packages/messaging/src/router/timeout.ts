import { isTimeoutError, withTimeout } from '@surge/resilience';
import type { Middleware } from './middleware.ts';

/** Not transient (unlike resilience's `TimeoutError`): a slow handler is retried, then dead-lettered. */
export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';
}

/**
 * Bounds one handler attempt to `ms`: its signal aborts at the deadline and the attempt rejects
 * with `HandlerTimeoutError` (a handler error: retried, then dead-lettered) even if the handler
 * ignores the signal. On shutdown (the transport's signal aborts) it rejects at once as well.
 */
export function timeout(ms: number): Middleware {
  return (next) => async (delivery, signal) => {
    try {
      await withTimeout((bounded) => next(delivery, bounded), ms, { signal, what: 'handler' });
    } catch (err) {
      if (signal.aborted && err === signal.reason)
        throw new Error('handler aborted: shutting down', { cause: signal.reason });
      if (isTimeoutError(err)) throw new HandlerTimeoutError(`handler exceeded ${ms} ms`, { cause: err });
      throw err;
    }
  };
}
