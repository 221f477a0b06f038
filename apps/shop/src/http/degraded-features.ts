/**
 * docs/architecture.md, degradation as data: what an instance cannot do, or does in a lesser way, while a shared dependency
 * is down. Readiness reports such an outage as `warn` with these features and stays 200, because
 * every instance sees the same outage (docs/adr/0006-readiness-semantics.md). A check not listed
 * here fails readiness. Orders and payment are planned features whose modules are still to come;
 * they are listed so the report does not change when they land.
 */
export const DEGRADED_WHEN_DOWN = {
  redis: [
    'cache.l2', // products come from process memory or stale values, else MySQL behind a bulkhead
    'orders.placement', // 503 at once (switch orders.whenRedisDown=reject)
    'rate-limits.cluster-wide', // each instance falls back to its own in-process limiter
    'sessions.logout', // 503
    'sessions.refresh', // 503; login issues access tokens without a refresh token
    'sessions.revocation', // a revoked access token is accepted until it expires (ADR 0003)
  ],
  mysql: [
    'admin.dead-letters',
    'catalog.uncached-reads', // only what the cache holds (within grace) is served
    'catalog.writes',
    'notifications',
    'orders.confirmation', // accepted orders wait for the order writer, which catches up
    'payment',
    'sessions.login',
    'sessions.refresh',
    'users',
  ],
  kafka: [
    'dead-letters.replay',
    'events.consumption', // consumers reconnect and resume from their committed offsets
    'orders.placement', // 503 at once, the reservation is released
    'outbox.relay', // delayed: events wait in the outbox table and are relayed when Kafka returns
  ],
} as const satisfies Record<string, readonly string[]>;
