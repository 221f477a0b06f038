/**
 * A rate-limit policy: at most `limit` requests per `windowMs` for one key, enforced with GCRA
 * (`gcra.ts`): a fresh key admits a burst of `limit` requests, then one every `windowMs / limit`.
 * Frozen and checked by {@link rateLimitPolicy}.
 */
export interface RateLimitPolicy {
  /**
   * Names the policy in keys, metrics and the `RateLimit` / `RateLimit-Policy` response fields:
   * letters, digits, `.`, `_`, `-`, at most 64 characters.
   */
  readonly name: string;
  /** Requests per window: the quota, and the burst a fresh key admits. Integer 1..1,000,000,000. */
  readonly limit: number;
  /** Window, ms. Integer from 1 to 366 days. */
  readonly windowMs: number;
}

/** One key charged under one policy in a call. */
export interface RateLimitCheck {
  readonly policy: RateLimitPolicy;
  /** What the policy limits: a client IP, a user id… (the limiter prepends its prefix and the policy name). */
  readonly key: string;
  /** Requests this call charges, integer 0..limit. Default 1; 0 only reads the state. */
  readonly cost?: number;
}

/** What one key of a call answered. */
export interface RateLimitResult {
  readonly policy: RateLimitPolicy;
  readonly key: string;
  /** This key admitted the request (the call may still be denied by another key). */
  readonly allowed: boolean;
  /** The quota enforced: the policy's, or this instance's share of it in the in-process fallback. */
  readonly limit: number;
  /** Requests left in the window after this call (when the call was denied: without it). */
  readonly remaining: number;
  /** ms until this key's quota is full again. */
  readonly resetMs: number;
  /** ms until this key would admit this request; 0 when it did. */
  readonly retryAfterMs: number;
}

/** The answer to one call: all keys admitted and were charged, or none was charged. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** ms until every key would admit the request (the largest wait); 0 when allowed. */
  readonly retryAfterMs: number;
  /** One per check, in the order given. */
  readonly results: readonly RateLimitResult[];
  /** Who decided: Redis (shared by every instance), or this process' fallback while Redis is unreachable. */
  readonly source: 'redis' | 'memory';
}

/** Checks and charges several keys at once, all or nothing. */
export interface RateLimiter {
  /**
   * Checks every key and charges them all only when every one admits the request: a request
   * denied by one key costs the others nothing. Rejects on invalid checks (`TypeError`,
   * `RangeError`) and when `opts.signal` aborts.
   */
  limit(checks: readonly RateLimitCheck[], opts?: { signal?: AbortSignal }): Promise<RateLimitDecision>;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_WINDOW_MS = 366 * 86_400_000;

/** A checked, frozen policy: `rateLimitPolicy('login-ip', 20, 60_000)`. Throws `RangeError` otherwise. */
export function rateLimitPolicy(name: string, limit: number, windowMs: number): RateLimitPolicy {
  if (!NAME.test(name))
    throw new RangeError(`rate limit policy name ${JSON.stringify(name)} is not [A-Za-z0-9._-]{1,64}`);
  if (!(Number.isSafeInteger(limit) && limit >= 1 && limit <= 1e9)) {
    throw new RangeError(`rate limit policy ${name}: limit must be an integer 1..1e9, got ${limit}`);
  }
  if (!(Number.isSafeInteger(windowMs) && windowMs >= 1 && windowMs <= MAX_WINDOW_MS)) {
    throw new RangeError(
      `rate limit policy ${name}: windowMs must be an integer 1..${MAX_WINDOW_MS}, got ${windowMs}`,
    );
  }
  return Object.freeze({ name, limit, windowMs });
}

/** The cost of each check, validated: integers 0..limit, keys unique per policy within a call. */
export function checkedCosts(checks: readonly RateLimitCheck[]): number[] {
  if (checks.length === 0) throw new TypeError('rate limiter: a call needs at least one check');
  const seen = new Set<string>();
  return checks.map(({ policy, key, cost = 1 }) => {
    if (!(Number.isSafeInteger(cost) && cost >= 0 && cost <= policy.limit)) {
      throw new RangeError(
        `rate limit ${policy.name}: cost must be an integer 0..${policy.limit}, got ${cost}`,
      );
    }
    const id = `${policy.name}:${key}`;
    if (seen.has(id)) throw new TypeError(`rate limiter: ${id} is checked twice in one call`);
    seen.add(id);
    return cost;
  });
}
