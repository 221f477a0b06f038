import { defineScript, type RedisClient } from '../scripts/define-script.ts';
import { UnexpectedScriptReplyError } from '../scripts/reply-codes.ts';
import { checkedCosts, type RateLimitCheck, type RateLimitDecision, type RateLimitResult } from './policy.ts';

/** `gcra-n.lua`: `[allowed, (remaining, reset, retry) per key]`, all integers. */
const gcra = defineScript(new URL('./gcra-n.lua', import.meta.url), (reply) => {
  if (!Array.isArray(reply) || reply.length < 4 || (reply.length - 1) % 3 !== 0) {
    throw new UnexpectedScriptReplyError('gcra-n', reply);
  }
  const numbers = reply as unknown[];
  if (!numbers.every((n) => Number.isSafeInteger(n)) || (numbers[0] !== 0 && numbers[0] !== 1)) {
    throw new UnexpectedScriptReplyError('gcra-n', reply);
  }
  return numbers as number[];
});

/**
 * One round trip to Redis: checks and charges every key in `gcra-n.lua`, all or nothing. Keys
 * are `<prefix><policy name>:<key>`. Rejects when Redis fails (the caller decides: see
 * `createRateLimiter`), and on checks it refuses before sending anything.
 */
export async function redisGcra(
  redis: RedisClient,
  prefix: string,
  checks: readonly RateLimitCheck[],
): Promise<RateLimitDecision> {
  const costs = checkedCosts(checks);
  const keys = checks.map((c) => `${prefix}${c.policy.name}:${c.key}`);
  const args = checks.flatMap((c, i) => [c.policy.limit, c.policy.windowMs, costs[i]!]);
  const reply = await gcra.run(redis, keys, args);
  if (reply.length !== 1 + 3 * checks.length) throw new UnexpectedScriptReplyError('gcra-n', reply);
  const results: RateLimitResult[] = checks.map(({ policy, key }, i) => {
    const retryAfterMs = reply[3 * i + 3]!;
    return {
      policy,
      key,
      allowed: retryAfterMs === 0,
      limit: policy.limit,
      remaining: reply[3 * i + 1]!,
      resetMs: reply[3 * i + 2]!,
      retryAfterMs,
    };
  });
  const allowed = reply[0] === 1;
  return {
    allowed,
    retryAfterMs: allowed ? 0 : Math.max(...results.map((r) => r.retryAfterMs)),
    results,
    source: 'redis',
  };
}
