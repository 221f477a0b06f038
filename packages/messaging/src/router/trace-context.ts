import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { Middleware } from './middleware.ts';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceContext {
  /** 32 hex chars; shared by the HTTP request, the events it caused and their consumers. */
  traceId: string;
  /** The W3C `traceparent` to put on messages published while handling this one. */
  traceparent: string;
}

const storage = new AsyncLocalStorage<TraceContext>();

/** The trace of the delivery being handled, if any: for logs and for follow-up messages. */
export const currentTrace = (): TraceContext | undefined => storage.getStore();

/**
 * Continues the W3C trace (`traceparent` header, docs/operations.md) of each delivery: the handler runs
 * with `currentTrace()` set to the same trace id and a new span id, so what it logs and publishes
 * joins the trace of the request that caused the message. A delivery without a valid
 * `traceparent` starts a new trace.
 */
export const traceContext: Middleware = (next) => (delivery, signal) => {
  const match = TRACEPARENT.exec(delivery.headers.traceparent ?? '');
  const traceId = match?.[1] ?? randomBytes(16).toString('hex');
  const flags = match?.[3] ?? '01';
  const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}`;
  return storage.run({ traceId, traceparent }, () => next(delivery, signal));
};
