// Lua scripts: one loader for every script of every package (ioredis defineCommand underneath).
export { defineScript, defineScripts } from './scripts/define-script.ts';
export type { RedisScript, RedisClient, ScriptArg } from './scripts/define-script.ts';
export { replyCodes, UnexpectedScriptReplyError } from './scripts/reply-codes.ts';

// Locks (single Redis, lease semantics). Fencing tokens will extend this module.
export { createRedisLock } from './lock/redis-lock.ts';
export type { RedisLock, RedisLockOptions, HeldLock } from './lock/redis-lock.ts';

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

// Planned here, in its own folder with its scripts (ADR 0008): idempotency keys (src/idempotency/).
