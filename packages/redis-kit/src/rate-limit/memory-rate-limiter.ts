import { LRUCache } from 'lru-cache';
import { gcraStep, type GcraStep } from './gcra.ts';
import { checkedCosts, type RateLimitDecision, type RateLimiter } from './policy.ts';

export interface MemoryRateLimiterOptions {
  /**
   * This process' share of every policy's quota, in (0, 1]: with 4 instances behind a load
   * balancer, 0.25 keeps their sum near the shared limit while each decides alone. The quota
   * enforced is `max(1, ceil(limit × share))` per window. Default 1.
   */
  share?: number;
  /**
   * Keys kept, at most; beyond it the least recently used key is forgotten (it then starts
   * with a full quota). Bounds memory at roughly 150 bytes a key. Default 10,000.
   */
  maxKeys?: number;
  /** Clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * The GCRA of `gcra.ts` in this process' memory, all or nothing over several keys like the
 * Redis script. On its own it limits one process; `createRateLimiter` uses it while Redis is
 * unreachable, with the instance's share of each quota.
 */
export function createMemoryRateLimiter(opts: MemoryRateLimiterOptions = {}): RateLimiter & {
  /** Keys held now (bounded by `maxKeys`). */
  readonly size: number;
} {
  const share = opts.share ?? 1;
  const maxKeys = opts.maxKeys ?? 10_000;
  const now = opts.now ?? Date.now;
  if (!(share > 0 && share <= 1))
    throw new RangeError(`memory rate limiter: share must be in (0, 1], got ${share}`);
  if (!(Number.isSafeInteger(maxKeys) && maxKeys >= 1)) {
    throw new RangeError(`memory rate limiter: maxKeys must be an integer >= 1, got ${maxKeys}`);
  }
  const tats = new LRUCache<string, number>({ max: maxKeys });
  const quota = (limit: number) => Math.max(1, Math.ceil(limit * share));

  return {
    get size() {
      return tats.size;
    },
    limit(checks) {
      try {
        const costs = checkedCosts(checks);
        const at = now();
        const keys = checks.map((c) => `${c.policy.name}:${c.key}`);
        const steps: GcraStep[] = checks.map(({ policy }, i) => {
          const limit = quota(policy.limit);
          const cost = Math.min(costs[i]!, limit);
          return gcraStep(at, tats.get(keys[i]!), { limit, windowMs: policy.windowMs, cost });
        });
        const allowed = steps.every((s) => s.allowed);
        if (allowed) {
          steps.forEach((s, i) => {
            if (costs[i]! > 0) tats.set(keys[i]!, s.after.tatMs);
          });
        }
        const decision: RateLimitDecision = {
          allowed,
          retryAfterMs: allowed ? 0 : Math.max(...steps.map((s) => s.retryAfterMs)),
          results: checks.map(({ policy, key }, i) => {
            const step = steps[i]!;
            const state = allowed ? step.after : step.before;
            return {
              policy,
              key,
              allowed: step.allowed,
              limit: quota(policy.limit),
              remaining: state.remaining,
              resetMs: state.resetMs,
              retryAfterMs: step.retryAfterMs,
            };
          }),
          source: 'memory',
        };
        return Promise.resolve(decision);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
  };
}
