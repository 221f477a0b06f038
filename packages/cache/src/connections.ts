import { Redis } from 'ioredis';

/**
 * The two connections a cache opens from the caller's (same address, credentials, db, TLS):
 * - `commands` (L2, fill locks, bus publish) never queues while Redis is down
 *   (`enableOfflineQueue: false`, `maxRetriesPerRequest: 1`) and bounds every command by
 *   `commandTimeoutMs`, so a Redis outage costs a read microseconds, not a hang;
 * - `subscriber` (bus) queues its SUBSCRIBE until Redis is reachable, so a cache created during
 *   an outage still joins the bus when Redis returns. After a reconnect the bus transport
 *   resubscribes itself (bus-transport.ts), not ioredis: ioredis 5.11's `autoResubscribe` sends
 *   its SUBSCRIBE with no rejection handler, so closing the cache while that command was in
 *   flight raised an unhandled "Connection is closed." (seen in CI, catalog-cache.int.test.ts).
 * Both reconnect by themselves (the caller's `retryStrategy`, ioredis' default otherwise).
 */
export function openCacheConnections(
  source: Redis,
  opts: { commandTimeoutMs: number; onError: (err: unknown, connection: string) => void },
) {
  const base = { ...source.options, lazyConnect: false };
  const commands = new Redis({
    ...base,
    connectionName: 'surge-cache',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs > 0 ? opts.commandTimeoutMs : undefined,
  });
  const subscriber = new Redis({
    ...base,
    connectionName: 'surge-cache-bus',
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    autoResubscribe: false,
  });
  commands.on('error', (err) => opts.onError(err, 'commands'));
  subscriber.on('error', (err) => opts.onError(err, 'subscriber'));
  return { commands, subscriber };
}
