import { AsyncLocalStorage } from 'node:async_hooks';
import type { ShedPriority } from '@surge/resilience';

/** What code the request does not call directly needs to know about it (http/request-scope.ts). */
export interface RequestScope {
  /** The request's client signal, created on first use (most requests never wait for a connection). */
  signal: () => AbortSignal;
  /** Its route's priority (ADR 0011). */
  priority: ShedPriority;
}

/**
 * The request whose work is running, for code reached through libraries that pass no context —
 * the MySQL pool gate, reached through Kysely, which has no per-query signal.
 */
const scope = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` in the scope of a request (http/request-scope.ts does, around every handler). */
export const runInRequestScope = <T>(request: RequestScope, fn: () => T): T => scope.run(request, fn);

/** The current request's signal — it aborts when the client has gone — or `undefined` outside a request. */
export const currentRequestSignal = (): AbortSignal | undefined => scope.getStore()?.signal();

/** The current request's priority; `normal` outside a request (consumers, jobs). */
export const currentRequestPriority = (): ShedPriority => scope.getStore()?.priority ?? 'normal';
