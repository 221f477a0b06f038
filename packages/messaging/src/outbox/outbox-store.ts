import { sql, type Kysely } from 'kysely';
import type { SeqSpan, UnsentRow } from './outbox-batches.ts';
import { assertTableName } from './outbox-table.ts';
import { withTimeout } from '@surge/resilience';

/** Backlog counts stop here: counting further would scan that many index entries per refresh. */
export const BACKLOG_COUNT_CAP = 1_000_000;

/**
 * The relay's SQL on one outbox table, each statement bounded by `timeoutMs` (client side: see
 * `withTimeout`). Times are computed by the database (`NOW(3)`), never by this process, so clock
 * skew between instances does not matter. Runs on whatever connection is passed: the relay passes
 * the one holding its lock.
 */
export function outboxStore(table: string, timeoutMs: number) {
  assertTableName(table);
  const t = sql.table(table);
  return {
    /**
     * Up to `limit` unsent rows in seq order, leaving out the seq range `skip` (rows in flight).
     * A range, not a list: MariaDB turns an `IN` list of 1000+ values into a derived table (5×
     * slower here), and a range costs one more index interval.
     */
    async unsent<DB>(conn: Kysely<DB>, limit: number, skip?: SeqSpan): Promise<UnsentRow[]> {
      const notIn = skip ? sql`AND (seq < ${skip.from} OR seq > ${skip.to})` : sql``;
      const q = sql<UnsentRow>`
        SELECT seq, topic, message FROM ${t}
        WHERE sent_at IS NULL ${notIn} ORDER BY seq LIMIT ${limit}`;
      return (await withTimeout(() => q.execute(conn), timeoutMs, { what: 'select unsent outbox rows' }))
        .rows;
    },

    /** Marks rows sent; a row another relay already marked keeps its first `sent_at`. */
    async markSent<DB>(conn: Kysely<DB>, seqs: ReadonlyArray<number | string>): Promise<void> {
      if (seqs.length === 0) return;
      const q = sql`
        UPDATE ${t} SET sent_at = NOW(3)
        WHERE seq IN (${sql.join(seqs)}) AND sent_at IS NULL`;
      await withTimeout(() => q.execute(conn), timeoutMs, { what: 'mark outbox rows sent' });
    },

    /**
     * Deletes up to `limit` rows sent more than `olderThanMs` ago, oldest first (index range scan
     * on `(sent_at, seq)`); returns how many it deleted. Unsent rows are never deleted.
     */
    async deleteSent<DB>(conn: Kysely<DB>, olderThanMs: number, limit: number): Promise<number> {
      const q = sql`
        DELETE FROM ${t}
        WHERE sent_at < NOW(3) - INTERVAL ${Math.round(olderThanMs * 1000)} MICROSECOND
        ORDER BY sent_at, seq LIMIT ${limit}`;
      const result = await withTimeout(() => q.execute(conn), timeoutMs, { what: 'delete sent outbox rows' });
      return Number(result.numAffectedRows ?? 0);
    },

    /**
     * Unsent rows (counted up to `BACKLOG_COUNT_CAP`) and the age of the oldest one in seconds
     * (0 when none), in one round trip.
     */
    async stats<DB>(conn: Kysely<DB>): Promise<{ backlog: number; oldestAgeSeconds: number }> {
      const q = sql<{ backlog: number | string; age_us: number | string | null }>`
        SELECT
          (SELECT COUNT(*) FROM (
             SELECT 1 FROM ${t} WHERE sent_at IS NULL LIMIT ${BACKLOG_COUNT_CAP}) AS capped) AS backlog,
          (SELECT TIMESTAMPDIFF(MICROSECOND, created_at, NOW(3)) FROM ${t}
             WHERE sent_at IS NULL ORDER BY seq LIMIT 1) AS age_us`;
      const row = (await withTimeout(() => q.execute(conn), timeoutMs, { what: 'read outbox stats' }))
        .rows[0];
      return {
        backlog: Number(row?.backlog ?? 0),
        oldestAgeSeconds: Math.max(0, Number(row?.age_us ?? 0) / 1e6),
      };
    },
  };
}

export type OutboxStore = ReturnType<typeof outboxStore>;
