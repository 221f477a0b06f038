import type { MysqlPool, MysqlPoolConnection, MysqlQueryResult } from 'kysely';
import type { Pool, PoolConnection } from 'mysql2';

type QueryCallback = (error: unknown, result: MysqlQueryResult) => void;

/** mysql2's code for a query that ran past its `timeout`. */
const QUERY_TIMEOUT = 'PROTOCOL_SEQUENCE_TIMEOUT';

/**
 * The mysql2 pool as Kysely's MysqlDialect sees it, with every query bounded by `queryTimeoutMs`:
 * a black-holed MySQL (no answer, no error) fails the query — `PROTOCOL_SEQUENCE_TIMEOUT`,
 * transient, a 503 on a route — instead of hanging the request forever (G8). mysql2 leaves a
 * timed-out command on its connection, and a command queued behind it would never even start
 * its own timer, so the connection is destroyed rather than returned to the pool; the pool opens
 * a new one on demand (bounded by its `connectTimeout`).
 *
 * Streamed queries (`.stream()`: long reads such as the Bloom filter rebuild) are not bounded
 * here: their callers stop them with their own signal.
 */
export function boundQueries(pool: Pool, queryTimeoutMs: number): MysqlPool {
  const wrapped = new WeakMap<PoolConnection, MysqlPoolConnection>();
  const wrap = (raw: PoolConnection): MysqlPoolConnection => {
    let connection = wrapped.get(raw);
    if (connection) return connection;
    function query(sql: string, parameters: unknown[]): ReturnType<PoolConnection['query']>;
    function query(sql: string, parameters: unknown[], callback: QueryCallback): void;
    function query(sql: string, parameters: unknown[], callback?: QueryCallback) {
      if (!callback) return raw.query(sql, parameters);
      raw.query({ sql, timeout: queryTimeoutMs }, parameters, (err, result) => {
        if ((err as { code?: unknown } | null)?.code === QUERY_TIMEOUT) {
          raw.destroy();
          // destroy() only half-closes (FIN); with the server silent the socket would linger.
          (raw as { stream?: { destroy?: () => void } }).stream?.destroy?.();
        }
        callback(err, result as MysqlQueryResult);
      });
    }
    connection = { query, release: () => raw.release() };
    wrapped.set(raw, connection);
    return connection;
  };
  return {
    getConnection: (callback) =>
      pool.getConnection((err, raw) => callback(err, err ? (undefined as never) : wrap(raw))),
    end: (callback) => pool.end(callback),
  };
}
