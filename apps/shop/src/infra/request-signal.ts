import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The signal of the request whose work is running, for code the request does not call directly
 * — the MySQL pool gate, reached through Kysely, which has no per-query signal. Lazy: the signal
 * is created only when something asks for it (most requests never wait for a connection).
 */
const scope = new AsyncLocalStorage<() => AbortSignal>();

/** Runs `fn` with `signal` as the current request signal (http/client-signal.ts sets it per request). */
export const runWithRequestSignal = <T>(signal: () => AbortSignal, fn: () => T): T => scope.run(signal, fn);

/** The current request's signal — it aborts when the client has gone — or `undefined` outside a request. */
export const currentRequestSignal = (): AbortSignal | undefined => scope.getStore()?.();
