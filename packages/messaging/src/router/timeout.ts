import type { Middleware } from './middleware.ts';

export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';
}

/**
 * Bounds one handler attempt to `ms`: its signal aborts at the deadline and the attempt rejects
 * with `HandlerTimeoutError` (a handler error: retried, then dead-lettered) even if the handler
 * ignores the signal.
 */
export function timeout(ms: number): Middleware {
  return (next) => async (delivery, signal) => {
    const deadline = AbortSignal.timeout(ms);
    const combined = AbortSignal.any([signal, deadline]);
    let onAbort: (() => void) | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      onAbort = () =>
        reject(
          deadline.aborted
            ? new HandlerTimeoutError(`handler exceeded ${ms} ms`)
            : new Error('handler aborted: shutting down', { cause: signal.reason }),
        );
      combined.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([next(delivery, combined), timedOut]);
    } finally {
      if (onAbort) combined.removeEventListener('abort', onAbort);
    }
  };
}
