export { backoffMs, exponentialBackoff } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
export { jitter } from './jitter.ts';
export { sleep } from './sleep.ts';
export { withTimeout, TimeoutError, isTimeoutError } from './timeout.ts';
export type { TimeoutOptions } from './timeout.ts';
export { TransientError, FatalError, isTransient, isFatal } from './errors.ts';
export { silentLog } from './log.ts';
export type { Log, LogFn, LogFields } from './log.ts';
export { createKeyedThrottle, createThrottle } from './throttle.ts';
export { errorSummary } from './error-summary.ts';
export type { KeyedThrottle, Throttle } from './throttle.ts';
export { startFaultProxy } from './fault-proxy/fault-proxy.ts';
export type { FaultProxy, FaultProxyOptions } from './fault-proxy/fault-proxy.ts';
export type { FaultMode } from './fault-proxy/fault-mode.ts';
export type { FaultTarget } from './fault-proxy/fault-connection.ts';
export { OverloadedError, findOverloadedError, isOverloadedError } from './overloaded-error.ts';
export type { OverloadReason } from './overloaded-error.ts';
export { createBulkhead } from './bulkhead.ts';
export type { Bulkhead, BulkheadOptions, BulkheadRefusal, CallOptions, Release } from './bulkhead.ts';
export { createAdaptiveShedder } from './shedding/adaptive-shedder.ts';
export type {
  AdaptiveShedder,
  AdaptiveShedderOptions,
  Admission,
  LoadSample,
  ShedPriority,
  ShedderStats,
} from './shedding/adaptive-shedder.ts';
export { createEventLoopLoad } from './shedding/event-loop-load.ts';
export type { EventLoopLoad } from './shedding/event-loop-load.ts';
export { createBreaker, BreakerOpenError, isBreakerOpenError } from './breaker.ts';
export type { Breaker, BreakerOptions, BreakerSnapshot, BreakerState } from './breaker.ts';
