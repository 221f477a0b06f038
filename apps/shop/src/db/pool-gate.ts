import type { MysqlPool, MysqlPoolConnection } from 'kysely';
import type { Pool, PoolConnection } from 'mysql2';
import { createBulkhead, type Bulkhead, type BulkheadRefusal, type Release } from '@surge/resilience';
import { currentRequestPriority, currentRequestSignal } from '../infra/request-scope.ts';

export interface PoolGateOptions {
  /** The pool's size: connections handed out at once. */
  size: number;
  /**
   * Callers that may wait for a connection; the next one is refused at once. The last tenth of
   * these places is kept for requests of `high` or `critical` priority (logins, registrations,
   * admin), so a flood of reads cannot refuse them all.
   */
  queueLimit: number;
  /** Longest a caller waits for a connection, ms; then it is refused. */
  queueTimeoutMs: number;
  /** Called for each caller that got no connection (refused, or its client had gone). */
  onReject?: (reason: BulkheadRefusal) => void;
}

/**
 * The pool Kysely sees: each `getConnection` first takes a slot of the `mysql` bulkhead (at most
 * `size` held, `queueLimit` waiting, each for at most `queueTimeoutMs`), and the connection's
 * `release` gives the slot back. A refused caller gets an `OverloadedError` (503 + Retry-After,
 * http/error-handler.ts); one whose client has gone while it waited (the current request's
 * signal, infra/request-scope.ts) never gets a connection, so its query never runs; the route's
 * priority decides whether it may take the queue's reserved places.
 */
export function gatedPool(pool: Pool, opts: PoolGateOptions): MysqlPool & { readonly slots: Bulkhead } {
  const slots = createBulkhead({
    name: 'mysql',
    maxConcurrent: opts.size,
    maxQueued: opts.queueLimit,
    reserved: Math.ceil(opts.queueLimit / 10),
    maxWaitMs: opts.queueTimeoutMs,
    ...(opts.onReject ? { onReject: opts.onReject } : {}),
  });
  const slotOf = new WeakMap<PoolConnection, Release>();
  const patched = new WeakSet<PoolConnection>();
  // Kysely keys its connection wrappers by the raw connection, so the same object is handed
  // out each time; its `release` is wrapped once to give the slot back first.
  const withSlotRelease = (conn: PoolConnection) => {
    if (patched.has(conn)) return;
    patched.add(conn);
    const release = conn.release.bind(conn);
    conn.release = () => {
      slotOf.get(conn)?.();
      slotOf.delete(conn);
      release();
    };
  };

  return {
    slots,
    getConnection(callback) {
      // Only a caller that has to wait needs the signal (creating it costs an AbortController).
      const signal = slots.active < opts.size ? undefined : currentRequestSignal();
      slots.acquire(signal, { priority: currentRequestPriority() !== 'normal' }).then(
        (releaseSlot) =>
          pool.getConnection((err, conn) => {
            if (err) {
              releaseSlot();
              callback(err, undefined as unknown as MysqlPoolConnection);
              return;
            }
            withSlotRelease(conn);
            slotOf.set(conn, releaseSlot);
            callback(null, conn);
          }),
        (err: unknown) => callback(err, undefined as unknown as MysqlPoolConnection),
      );
    },
    end(callback) {
      pool.end(callback);
    },
  };
}
