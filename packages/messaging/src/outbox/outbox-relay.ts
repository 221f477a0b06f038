import type { Kysely } from 'kysely';
import { backoffMs, jitter, sleep } from '@surge/resilience';
import { Doorbell } from './doorbell.ts';
import { MarkPipeline } from './mark-pipeline.ts';
import { withNamedLock } from './mysql-named-lock.ts';
import { seqSpan, toPublishRuns, type UnsentRow } from './outbox-batches.ts';
import { createOutboxMetrics } from './outbox-metrics.ts';
import { outboxStore } from './outbox-store.ts';
import { resolveOutboxRelayOptions, type OutboxRelayOptions } from './outbox-relay-options.ts';

export interface OutboxRelay {
  /** Starts the loop in the background; it never rejects and retries every failure. */
  start(): void;
  /** Stops after the current batch (published and marked), releases the lock. Idempotent. */
  close(): Promise<void>;
  /** True while this relay holds the lock and relays. */
  readonly active: boolean;
}

const CLEANUP_BATCH = 1000;
// Marks overlapping the next publish; each holds a pooled connection (bench P5: one was not enough
// to hide a 500-row UPDATE behind a publish).
const MARKS_IN_FLIGHT = 2;

/**
 * The outbox relay: one active instance per table, elected by a MySQL named lock; it publishes
 * unsent rows in seq order and then marks them sent. At least once: a crash between publish and
 * mark publishes those rows again (consumers dedupe by `ce_id`); nothing is skipped — a row that
 * cannot be published blocks the ones after it, which the oldest-age metric shows. See ADR 0004.
 */
export function createOutboxRelay<DB>(opts: OutboxRelayOptions<DB>): OutboxRelay {
  const o = resolveOutboxRelayOptions(opts);
  const { table, batchSize, pollIntervalMs, retentionMs, cleanupIntervalMs, statsIntervalMs, log } = o;
  const store = outboxStore(table, o.queryTimeoutMs);
  const metrics = createOutboxMetrics(o.metrics, table);
  const bell = new Doorbell();
  const closing = new AbortController();
  const hardStop = new AbortController();
  let loop: Promise<void> | undefined;
  let active = false;
  let unsubscribe = () => {};
  // Consecutive failed database rounds; reset only by a round that succeeded, so a lock that is
  // re-acquired and lost again at once still backs off further each time.
  let dbFailures = 0;
  const lockOpts = { timeoutMs: o.queryTimeoutMs, idleTimeoutSec: o.lockIdleTimeoutSec };

  function setActive(on: boolean) {
    if (on === active) return;
    active = on;
    metrics.active(on);
    if (!on) metrics.stats(0, 0);
    log.info({ table, lock: o.lock.name }, on ? 'outbox relay active' : 'outbox relay standing by');
  }

  async function run(): Promise<void> {
    while (!closing.signal.aborted) {
      try {
        const held = await withNamedLock(o.db, o.lock.name, lockOpts, async (conn) => {
          setActive(true);
          await relayWhileHeld(conn);
        });
        setActive(false);
        // Standbys poll at a steady pace, spread so they do not all ask at once.
        if (!held) await sleep(jitter(o.lockRetryMs, 0.5), closing.signal);
      } catch (err) {
        // Any database error gives the lock up: the connection that holds it may be gone.
        setActive(false);
        dbFailures++;
        log.warn({ table, attempt: dbFailures, err }, 'outbox relay: database call failed; retrying');
        await sleep(backoffMs(dbFailures, o.backoff), closing.signal);
      }
    }
  }

  async function relayWhileHeld(conn: Kysely<DB>): Promise<void> {
    const housekeeping = housekeeper(conn);
    let publishFailures = 0;
    // Pipelined (bench P5): while batch k is published, batch k+1 is read on the lock's
    // connection and earlier batches are marked on other pooled connections. Nothing is marked
    // before the broker's ack. Reads skip the seq range in flight; a row inside it that committed
    // late (a lower seq than rows already read) is only deferred, never lost: the range moves on.
    const marks = new MarkPipeline(MARKS_IN_FLIGHT, (seqs) => store.markSent(o.db, seqs));
    let readAhead: Promise<UnsentRow[]> | undefined;
    try {
      while (!closing.signal.aborted) {
        await housekeeping();
        bell.clear();
        const rows = await (readAhead ?? store.unsent(conn, batchSize, seqSpan(marks.seqs)));
        readAhead = undefined;
        if (rows.length === batchSize) {
          readAhead = store.unsent(conn, batchSize, seqSpan([...marks.seqs, ...rows.map((r) => r.seq)]));
          readAhead.catch(() => {}); // observed when it is used or discarded
        }
        const { sent, failed } = await publishInOrder(rows);
        await marks.push(sent);
        dbFailures = 0;
        if (failed) {
          // Rows read ahead would overtake the ones that failed: read again after the backoff.
          await readAhead?.catch(() => {});
          readAhead = undefined;
          publishFailures++;
          await sleep(backoffMs(publishFailures, o.backoff), closing.signal);
        } else {
          publishFailures = 0;
          if (rows.length < batchSize) await bell.wait(pollIntervalMs, closing.signal);
        }
      }
      await marks.drain();
    } finally {
      // Never give the lock up while a mark is in flight: the next relay would publish those again.
      await Promise.allSettled([marks.settle(), readAhead]);
    }
  }

  /** Stats every `statsIntervalMs`; while sent rows are due, one bounded delete per round. */
  function housekeeper(conn: Kysely<DB>): () => Promise<void> {
    let statsDueAt = 0;
    let cleanupDueAt = Date.now() + Math.min(cleanupIntervalMs, 1000);
    return async () => {
      if (Date.now() >= statsDueAt) {
        const s = await store.stats(conn);
        metrics.stats(s.backlog, s.oldestAgeSeconds);
        statsDueAt = Date.now() + statsIntervalMs;
      }
      // Bounded steps keep pace with inserts without ever holding the relay up for long.
      if (Date.now() >= cleanupDueAt) {
        const deleted = await store.deleteSent(conn, retentionMs, CLEANUP_BATCH);
        if (deleted < CLEANUP_BATCH) cleanupDueAt = Date.now() + cleanupIntervalMs;
      }
    };
  }

  /**
   * Publishes rows (in seq order) one run at a time, stopping at the first failure or corrupt row;
   * returns the seqs the broker acknowledged.
   */
  async function publishInOrder(
    rows: readonly UnsentRow[],
  ): Promise<{ sent: Array<number | string>; failed: boolean }> {
    const { runs, corrupt } = toPublishRuns(rows, o.maxPublishBytes);
    const sent: Array<number | string> = [];
    for (const r of runs) {
      try {
        // The next run starts only after this one was acked, so the seq order holds on the wire.
        await o.publisher.publish(r.topic, r.messages, { signal: hardStop.signal });
      } catch (err) {
        metrics.publishFailed(r.topic);
        log.warn(
          { table, topic: r.topic, seq: r.seqs[0], err },
          'outbox publish failed; retrying after backoff',
        );
        return { sent, failed: true };
      }
      sent.push(...r.seqs);
      metrics.published(r.topic, r.messages.length);
    }
    if (corrupt)
      log.error({ table, ...corrupt }, 'outbox row cannot be decoded; it blocks the rows after it');
    return { sent, failed: corrupt !== undefined };
  }

  return {
    start() {
      if (closing.signal.aborted) throw new Error('outbox relay already closed');
      if (loop) return;
      unsubscribe = o.notifier?.onNotify(() => bell.ring()) ?? (() => {});
      loop = run();
    },
    async close() {
      closing.abort();
      const timer = setTimeout(
        () => hardStop.abort(new Error('outbox relay close timed out')),
        o.closeTimeoutMs,
      );
      try {
        await loop;
      } finally {
        clearTimeout(timer);
        unsubscribe();
      }
    },
    get active() {
      return active;
    },
  };
}
