import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import {
  rateLimitPolicy,
  type RateLimitCheck,
  type RateLimitPolicy,
  type RateLimiter,
} from '@surge/redis-kit';
import { createKeyedThrottle } from '@surge/resilience';
import type { Config } from '../config.ts';
import { rateLimited } from '../errors.ts';
import { markRateLimited } from './overloaded-responses.ts';
import { rateLimitFields, retryAfterSec } from './rate-limit-fields.ts';

/** Charges a request against its policies; see {@link createRateLimitGuard}. */
export type RateLimitGuard = (
  request: FastifyRequest,
  reply: FastifyReply,
  checks: ReadonlyArray<RateLimitCheck | undefined>,
) => Promise<void>;

/** A configured policy (`config.rateLimit.*`) as a redis-kit policy, or undefined when it is off. */
export const configuredPolicy = (
  name: string,
  configured: Config['rateLimit']['loginIp'],
): RateLimitPolicy | undefined =>
  configured === null ? undefined : rateLimitPolicy(name, configured.limit, configured.windowSec * 1000);

function counter(registry: Registry, name: string, help: string): Counter<'policy'> {
  // One counter per registry, whichever feature builds a guard first.
  const known = registry.getSingleMetric(name);
  if (known) return known as Counter<'policy'>;
  return new Counter({ name, help, labelNames: ['policy'], registers: [registry] });
}

/**
 * The HTTP side of rate limiting (docs/adr/0010-rate-limits.md): checks and charges a request's
 * keys in one call (all or nothing), puts the RateLimit / RateLimit-Policy fields on the
 * response, and when denied counts `surge_rate_limited_total{policy}` per denying policy and
 * throws `RATE_LIMITED` (429 with Retry-After, by the error handler). Checks that are
 * undefined (a policy switched off) are skipped. Decisions made in process while Redis is
 * unreachable count `surge_rate_limit_fallback_total{policy}`.
 */
export function createRateLimitGuard(limiter: RateLimiter, registry: Registry): RateLimitGuard {
  const limited = counter(
    registry,
    'surge_rate_limited_total',
    'Requests refused with 429, by the policy that refused them',
  );
  const fallback = counter(
    registry,
    'surge_rate_limit_fallback_total',
    'Rate-limit checks decided in process because Redis was unreachable, by policy',
  );
  // One "rate limited" line per set of denying policies per 10 s, counting the ones held back:
  // a brute-force flood is thousands of refusals a second (the counter has each one).
  const lines = createKeyedThrottle(10_000);
  const logRefusal = (request: FastifyRequest, policies: string[], source: string) => {
    const suppressed = lines.pass(policies.join(','));
    if (suppressed !== undefined) request.log.info({ policies, source, suppressed }, 'rate limited');
  };
  return async (request, reply, maybeChecks) => {
    const checks = maybeChecks.filter((c): c is RateLimitCheck => c !== undefined);
    if (checks.length === 0) return;
    const decision = await limiter.limit(checks);
    void reply.headers(rateLimitFields(decision.results));
    if (decision.source === 'memory')
      for (const r of decision.results) fallback.inc({ policy: r.policy.name });
    if (decision.allowed) return;
    for (const r of decision.results) if (!r.allowed) limited.inc({ policy: r.policy.name });
    const denying = decision.results.filter((r) => !r.allowed).map((r) => r.policy.name);
    logRefusal(request, denying, decision.source);
    markRateLimited(request);
    throw rateLimited(retryAfterSec(decision.retryAfterMs));
  };
}
