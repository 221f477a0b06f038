import type { ShedPriority } from '@surge/resilience';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * How the load shedder treats this route (ADR 0011): `normal` (the default: reads and the
     * rest) is shed first, `high` (logins, registrations, refreshes: expensive or needed to use
     * the service at all) later, `critical` never. Unset, health, metrics, docs and admin
     * routes are `critical`.
     */
    priority?: ShedPriority;
  }
}

/** Operators and probes must reach these whatever the load: never shed. */
const CRITICAL = /^\/(health\/|metrics$|docs(\/|$)|v1\/admin\/)/;

/** The shedding priority of a route template: what it declares, else by its path. */
export function routePriority(url: string | undefined, declared: ShedPriority | undefined): ShedPriority {
  if (declared !== undefined) return declared;
  return url !== undefined && CRITICAL.test(url) ? 'critical' : 'normal';
}
