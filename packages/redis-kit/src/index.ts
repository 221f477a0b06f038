// Lua scripts: one loader for every script of every package (ioredis defineCommand underneath).
export { defineScript, defineScripts } from './scripts/define-script.ts';
export type { DefineScriptOptions, RedisScript, RedisClient, ScriptArg } from './scripts/define-script.ts';
export { replyCodes, UnexpectedScriptReplyError } from './scripts/reply-codes.ts';

// Locks on one Redis: a plain lease (efficiency), and fencing tokens with renewal and a lost-lock
// signal (work that must not overlap).
export { createRedisLock } from './lock/redis-lock.ts';
export type { RedisLock, RedisLockOptions, HeldLock } from './lock/redis-lock.ts';
export { createFencedLock } from './lock/fenced-lock.ts';
export type { FencedLocks, FencedLock, WithLockOptions } from './lock/fenced-lock.ts';
export type { FencedLockOptions } from './lock/fenced-lock-options.ts';
export { LockNotHeldError, LockBusyError, isLockNotHeldError, isLockBusyError } from './lock/lock-errors.ts';
export type { LockNotHeldReason } from './lock/lock-errors.ts';

// Idempotency keys (IETF Idempotency-Key draft -07; ADR 0017).
export { createIdempotencyStore } from './idempotency/idempotency-store.ts';
export type {
  IdempotencyStore,
  IdempotencyRequest,
  IdempotencyOutcome,
  IdempotencyHold,
  ResponseToStore,
  StoredResponse,
} from './idempotency/idempotency-store.ts';
export type { IdempotencyStoreOptions } from './idempotency/idempotency-options.ts';
export { parseIdempotencyKey, MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency/idempotency-key.ts';
export { canonicalJson, requestFingerprint } from './idempotency/request-fingerprint.ts';
export type { FingerprintInput } from './idempotency/request-fingerprint.ts';
export {
  IdempotencyKeyError,
  isIdempotencyKeyError,
  IdempotencyRecordTooLargeError,
} from './idempotency/idempotency-errors.ts';
export type { IdempotencyKeyErrorCode } from './idempotency/idempotency-errors.ts';

// Connections.
export { failFastRedisOptions } from './connection/fail-fast-options.ts';
export { whenReady } from './connection/when-ready.ts';

// Rate limits: GCRA on Redis (several keys per call, all or nothing) with an in-process fallback.
export { createRateLimiter } from './rate-limit/rate-limiter.ts';
export type { RateLimiterOptions } from './rate-limit/rate-limiter.ts';
export { createMemoryRateLimiter } from './rate-limit/memory-rate-limiter.ts';
export type { MemoryRateLimiterOptions } from './rate-limit/memory-rate-limiter.ts';
export { rateLimitPolicy } from './rate-limit/policy.ts';
export type {
  RateLimitCheck,
  RateLimitDecision,
  RateLimitPolicy,
  RateLimitResult,
  RateLimiter,
} from './rate-limit/policy.ts';
