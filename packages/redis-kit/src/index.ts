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

// Planned here, each in its own folder with its scripts (ADR 0008): rate limiter (GCRA,
// src/rate-limit/), idempotency keys (src/idempotency/).
