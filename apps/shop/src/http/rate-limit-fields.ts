import type { RateLimitResult } from '@surge/redis-kit';

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-11), Structured Field
 * lists with one item per policy a request was checked against:
 * `RateLimit-Policy: "login-ip";q=20;w=60` (quota, window in seconds) and
 * `RateLimit: "login-ip";r=0;t=42` (requests remaining, seconds until the quota is full again).
 * Policy names are `[A-Za-z0-9._-]` (redis-kit `rateLimitPolicy`), safe inside an sf-string.
 */
export function rateLimitFields(results: readonly RateLimitResult[]): {
  'ratelimit-policy': string;
  ratelimit: string;
} {
  return {
    'ratelimit-policy': results
      .map((r) => `"${r.policy.name}";q=${r.limit};w=${Math.ceil(r.policy.windowMs / 1000)}`)
      .join(', '),
    ratelimit: results
      .map((r) => `"${r.policy.name}";r=${r.remaining};t=${Math.ceil(r.resetMs / 1000)}`)
      .join(', '),
  };
}

/** Retry-After in whole seconds, at least 1 (a client retrying sooner would be refused again). */
export const retryAfterSec = (retryAfterMs: number): number => Math.max(1, Math.ceil(retryAfterMs / 1000));
