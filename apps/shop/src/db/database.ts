import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool, type PoolOptions } from 'mysql2';
import { boundQueries } from './bounded-queries.ts';
import type { Database } from './schema.ts';

export interface MysqlOptions {
  /** `mysql://user:password@host:port/database`. */
  url: string;
  /** Connect budget in milliseconds. */
  timeoutMs: number;
  /** Longest one query may take, ms (see bounded-queries.ts). Default 5000. */
  queryTimeoutMs?: number;
  /** Pool size. Default 10. */
  connectionLimit?: number;
}

/** Splits a MySQL URL into pool options; the database name is returned separately. */
export function parseMysqlUrl(url: string): PoolOptions & { database: string } {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, ''),
  };
}

/**
 * A Kysely instance on a bounded mysql2 pool. Every query is bounded: connections time out on
 * connect, each query after `queryTimeoutMs`, and the pool's queue is limited so a MySQL outage
 * fails fast instead of piling up.
 */
export function createDatabase(opts: MysqlOptions): { db: Kysely<Database>; pool: Pool } {
  const pool = createPool({
    ...parseMysqlUrl(opts.url),
    connectionLimit: opts.connectionLimit ?? 10,
    queueLimit: 200,
    connectTimeout: opts.timeoutMs,
    enableKeepAlive: true,
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
  });
  // mysql2 emits pool errors only for idle connections dropped by the server; they are
  // re-created on demand, so log-and-continue is handled by the caller via `pool.on('error')`.
  const db = new Kysely<Database>({
    dialect: new MysqlDialect({ pool: boundQueries(pool, opts.queryTimeoutMs ?? 5000) }),
  });
  return { db, pool };
}
