import { Kysely, MysqlDialect } from 'kysely';
import { createPool, type Pool } from 'mysql2';
import { parseMysqlUrl } from './mysql-url.ts';
import type { Database } from './schema.ts';

export { parseMysqlUrl };

export interface MysqlOptions {
  /** `mysql://user:password@host:port/database[?ssl-mode=…]` (mysql-url.ts). */
  url: string;
  /** Connect and per-query budget in milliseconds. */
  timeoutMs: number;
  /** Pool size. Default 10. */
  connectionLimit?: number;
}

/**
 * A Kysely instance on a bounded mysql2 pool. Every query is bounded: connections time out on
 * connect, and the pool's queue is limited so a MySQL outage fails fast instead of piling up.
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
  const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
  return { db, pool };
}
