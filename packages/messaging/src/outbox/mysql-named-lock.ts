import { sql, type Kysely } from 'kysely';
import { withTimeout } from '@surge/resilience';

/**
 * Runs `fn` while this process holds the MySQL named lock `name` (`GET_LOCK(name, 0)`: never
 * waits), on one connection reserved for the whole run and handed to `fn`. The server releases a
 * named lock when its connection closes, so if this process dies or loses MySQL, another process
 * can take the lock over; `fn` should run its queries on the given connection, so that losing the
 * connection (and with it the lock) makes them fail and `fn` return (ADR 0004).
 *
 * A holder whose host vanishes without closing its TCP connection would keep the lock until the
 * server notices (`wait_timeout`, 8 h by default): while holding, the connection's session
 * `wait_timeout` is lowered to `idleTimeoutSec`, so the server drops a silent holder after that
 * long. `fn` must therefore use the connection more often than that. The pool's value is restored
 * before the connection goes back to the pool.
 *
 * Named locks are server-wide, not per database: `name` must be unique on the server (max 64
 * characters).
 *
 * @param opts.timeoutMs bound of acquiring a connection and of each lock statement
 * @param opts.idleTimeoutSec session `wait_timeout` while holding, seconds
 * @returns false when another session holds the lock (`fn` did not run); rejects on database
 *   errors or when `fn` rejects, after trying to release the lock
 */
export async function withNamedLock<DB>(
  db: Kysely<DB>,
  name: string,
  opts: { timeoutMs: number; idleTimeoutSec: number },
  fn: (conn: Kysely<DB>) => Promise<void>,
): Promise<boolean> {
  const { timeoutMs } = opts;
  let abandoned = false;
  let entered = () => {};
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const run = db.connection().execute(async (conn) => {
    entered();
    if (abandoned) return false;
    const getLock = sql<{ got: number | null }>`SELECT GET_LOCK(${name}, 0) AS got`.execute(conn);
    const release = () => {
      // Queued on this connection behind anything still running on it (mysql2 runs one command
      // at a time), so even after a client-side timeout the lock is released before the
      // connection serves anyone else from the pool.
      void sql`SELECT RELEASE_LOCK(${name})`.execute(conn).catch(() => {});
    };
    let got: number | null | undefined;
    try {
      got = (await withTimeout(() => getLock, timeoutMs, { what: 'GET_LOCK' })).rows[0]?.got;
    } catch (err) {
      release();
      throw err;
    }
    if (got !== 1) return false;
    try {
      const idle = sql`SET SESSION wait_timeout = ${Math.ceil(opts.idleTimeoutSec)}`.execute(conn);
      await withTimeout(() => idle, timeoutMs, { what: 'SET wait_timeout' });
      await fn(conn);
    } finally {
      const released = sql`SELECT RELEASE_LOCK(${name})`.execute(conn);
      await withTimeout(() => released, timeoutMs, { what: 'RELEASE_LOCK' }).catch(() => {});
      const restore = sql`SET SESSION wait_timeout = @@GLOBAL.wait_timeout`.execute(conn);
      await withTimeout(() => restore, timeoutMs, { what: 'restore wait_timeout' }).catch(() => {});
    }
    return true;
  });
  try {
    // `run` rejects before `inside` settles when no connection can be had (refused by the pool's
    // bulkhead, MySQL down): racing it surfaces that error at once and leaves no rejection unhandled.
    await withTimeout(() => Promise.race([inside, run.then(() => {})]), timeoutMs, {
      what: 'acquire a connection',
    });
  } catch (err) {
    abandoned = true;
    run.catch(() => {});
    throw err;
  }
  return run;
}
