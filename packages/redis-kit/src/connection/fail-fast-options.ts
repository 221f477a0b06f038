import { backoffMs } from '@surge/resilience';
import type { RedisOptions } from 'ioredis';

/**
 * Reconnect delays: from ~50 ms, doubling, at most 2 s — short, because requests fail fast
 * meanwhile and the service heals as soon as Redis is back (G8).
 */
const RECONNECT = { baseMs: 50, maxMs: 2_000 } as const;

/**
 * ioredis options of a client that fails fast instead of queueing while Redis is down (G8):
 * no offline queue, one retry per command, `commandTimeoutMs` on every command, and
 * reconnection forever with jittered backoff so it heals by itself. Spread them last over the
 * caller's options (TLS, credentials): `new Redis(url, { ...tls, ...failFastRedisOptions(…) })`.
 */
export function failFastRedisOptions(opts: {
  /** Bound of every command, ms. Blocking commands need it above their own block time. */
  commandTimeoutMs: number;
  /** Bound of opening the TCP connection, ms. Default `commandTimeoutMs`. */
  connectTimeoutMs?: number;
  /** `CLIENT SETNAME`, shown by `CLIENT LIST`. */
  connectionName?: string;
}): RedisOptions {
  return {
    ...(opts.connectionName === undefined ? {} : { connectionName: opts.connectionName }),
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: opts.connectTimeoutMs ?? opts.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => backoffMs(attempt, RECONNECT),
  };
}
