import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool } from 'mysql2';
import { boundQueries } from './bounded-queries.ts';
import { parseMysqlUrl } from './mysql-url.ts';
import type { Database } from './schema.ts';
import type { Bulkhead } from '@surge/resilience';
import { gatedPool, type PoolGateOptions } from './pool-gate.ts';

export { parseMysqlUrl };

export interface MysqlOptions {
  /** `mysql://user:password@host:port/database[?ssl-mode=…]` (mysql-url.ts). */
  url: string;
  /** Connect budget in milliseconds. */
  timeoutMs: number;
  /** Longest one query may take, ms (see bounded-queries.ts). Default 5000. */
  queryTimeoutMs?: number;
  /** Pool size. Default 10. */
  connectionLimit?: number;
  /**
   * Queries that may wait for a connection (default 100), and how long each may wait (default
   * 1000 ms); past either, the query is refused with an `OverloadedError` (ADR 0011).
   */
  queue?: { limit: number; timeoutMs: number };
  /** Called for each caller that got no connection (metrics, throttled logs). */
  onReject?: PoolGateOptions['onReject'];
}

/**
 * A Kysely instance on a bounded mysql2 pool. Every query is bounded: connections time out on
 * connect, each query after `queryTimeoutMs` (bounded-queries.ts), and a connection is handed
 * out through a bulkhead (pool-gate.ts) whose queue and wait are bounded, so a burst of requests
 * or a slow database answers 503 fast instead of piling up — and never reaches mysql2's own queue
 * limit, whose "Queue limit reached." became a 500 (issue 8).
 */
export function createDatabase(opts: MysqlOptions): { db: Kysely<Database>; pool: Pool; slots: Bulkhead } {
  const size = opts.connectionLimit ?? 10;
  const pool = createPool({
    ...parseMysqlUrl(opts.url),
    connectionLimit: size,
    // The gate lets at most `size` callers ask at once, so this queue holds only the moment
    // between a connection's release and its reuse; bounded all the same.
    queueLimit: size,
    connectTimeout: opts.timeoutMs,
    enableKeepAlive: true,
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
  });
  // mysql2 emits pool errors only for idle connections dropped by the server; they are
  // re-created on demand, so log-and-continue is handled by the caller via `pool.on('error')`.
  const gated = gatedPool(pool, {
    size,
    queueLimit: opts.queue?.limit ?? 100,
    queueTimeoutMs: opts.queue?.timeoutMs ?? 1000,
    ...(opts.onReject ? { onReject: opts.onReject } : {}),
  });
  // The gate hands out mysql2's own connections (their release gives the slot back), so the
  // query bound wraps them like the bare pool's.
  const db = new Kysely<Database>({
    dialect: new MysqlDialect({ pool: boundQueries(gated as unknown as Pool, opts.queryTimeoutMs ?? 5000) }),
  });
  return { db, pool, slots: gated.slots };
}
