import { circuitBreaker, ConsecutiveBreaker, handleAll, type CircuitBreakerPolicy } from 'cockatiel';
import { createThrottle, silentLog, withTimeout, type Log } from '@surge/resilience';
import type { RedisClient } from '../scripts/define-script.ts';
import { createMemoryRateLimiter, type MemoryRateLimiterOptions } from './memory-rate-limiter.ts';
import { checkedCosts, type RateLimiter } from './policy.ts';
import { redisGcra } from './redis-gcra.ts';

export interface RateLimiterOptions {
  /** The client the limits live on; give it fail-fast options (`failFastRedisOptions`). */
  redis: RedisClient;
  /**
   * Prepended to every key (`<prefix><policy>:<key>`), e.g. `myapp:rl:`. On a Cluster every key
   * of one call must share a hash slot: put a `{hash tag}` in the prefix, or in the keys.
   */
  prefix: string;
  /** Budget of one Redis call, ms; a call past it is decided in process. Default 500. */
  timeoutMs?: number;
  /**
   * The in-process limiter that decides while Redis is unreachable (error, timeout, or the
   * breaker open): this instance's `share` of each quota, at most `maxKeys` keys (LRU).
   */
  fallback?: MemoryRateLimiterOptions;
  /**
   * After `failures` consecutive Redis failures, calls skip Redis for `halfOpenAfterMs`, then
   * one call tries again (cockatiel's circuit breaker), so an outage costs no timeout per
   * request. Defaults 3 and 1000 ms.
   */
  breaker?: { failures?: number; halfOpenAfterMs?: number };
  /** Where "Redis unavailable, deciding in process" goes, at most once per 10 s. Default silent. */
  log?: Log;
}

/**
 * A GCRA rate limiter shared by every instance through Redis (`gcra-n.lua`: one round trip,
 * several keys, all or nothing, Redis' clock), which falls back to an in-process GCRA while
 * Redis is unreachable — so an outage neither lifts the limits nor refuses everyone. The
 * decision says which one answered (`source`). Never rejects because of Redis.
 */
export function createRateLimiter(opts: RateLimiterOptions): RateLimiter & {
  /** The fallback limiter (its `size` shows the keys it holds). */
  readonly fallback: ReturnType<typeof createMemoryRateLimiter>;
} {
  const timeoutMs = opts.timeoutMs ?? 500;
  if (!(Number.isSafeInteger(timeoutMs) && timeoutMs >= 1)) {
    throw new RangeError(`rate limiter: timeoutMs must be an integer >= 1, got ${timeoutMs}`);
  }
  const log = opts.log ?? silentLog;
  const fallback = createMemoryRateLimiter(opts.fallback);
  const breaker: CircuitBreakerPolicy = circuitBreaker(handleAll, {
    halfOpenAfter: opts.breaker?.halfOpenAfterMs ?? 1000,
    breaker: new ConsecutiveBreaker(opts.breaker?.failures ?? 3),
  });
  const warnings = createThrottle(10_000);

  return {
    fallback,
    async limit(checks, callOpts = {}) {
      const { signal } = callOpts;
      signal?.throwIfAborted();
      checkedCosts(checks); // invalid checks are the caller's bug: thrown here, never a Redis failure
      try {
        return await breaker.execute(() =>
          withTimeout(() => redisGcra(opts.redis, opts.prefix, checks), timeoutMs, {
            what: 'rate limit',
            ...(signal ? { signal } : {}),
          }),
        );
      } catch (err) {
        // The caller gave up: nothing left to decide.
        signal?.throwIfAborted();
        const suppressed = warnings.pass();
        if (suppressed !== undefined) {
          log.warn({ err, suppressed }, 'rate limiter: Redis unavailable; deciding in process');
        }
        return fallback.limit(checks);
      }
    },
  };
}
