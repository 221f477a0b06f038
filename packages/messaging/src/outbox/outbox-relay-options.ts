import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { silentLog, type BackoffOptions, type Log } from '@surge/resilience';
import type { Publisher } from '../ports.ts';
import type { Outbox } from './outbox.ts';

export interface OutboxRelayOptions<DB> {
  /**
   * The app's Kysely. The active relay takes up to 3 connections of its pool: one for the lock and
   * the reads, up to two for marks. The pool needs at least 2.
   */
  db: Kysely<DB>;
  /** Resolves only after the broker acknowledged (e.g. `createKafkaPublisher`). */
  publisher: Publisher;
  /** Default `outbox`. */
  table?: string;
  /**
   * MySQL named lock that elects the one active relay of this table (ADR 0004). `name` is
   * server-wide, max 64 chars. Standbys try to take it every `retryMs` (jittered), default 3000 ms.
   * `idleTimeoutSec` (default 30 s) bounds how long a holder whose host vanished keeps it.
   */
  lock: { name: string; retryMs?: number; idleTimeoutSec?: number };
  /** Rows read, published and marked per round. Default 500. */
  batchSize?: number;
  /** Sleep when a round found less than a full batch (unless notified). Default 100 ms. */
  pollIntervalMs?: number;
  /** Wakes the relay right after a commit in this process: pass the `Outbox`. Optional. */
  notifier?: Pick<Outbox, 'onNotify'>;
  /** Sent rows are deleted once older than this. Default 24 h. */
  retentionMs?: number;
  /** Period of cleanup rounds (each deletes 1000 rows per step until none are due). Default 60 000 ms. */
  cleanupIntervalMs?: number;
  /** Period of the backlog / oldest-age query. Default 1000 ms. */
  statsIntervalMs?: number;
  /** Bound of every database call. Default 5000 ms. */
  queryTimeoutMs?: number;
  /** How long `close` lets the current batch finish before aborting its publish. Default 10 000 ms. */
  closeTimeoutMs?: number;
  /** Bytes of one `publish` call; keep it within the publisher's in-flight budget. Default 4 MiB. */
  maxPublishBytes?: number;
  /** Delays after a failed publish or database call (resilience `backoffMs`). Default 100 ms growing to 5000 ms, jittered. */
  backoff?: BackoffOptions;
  /** prom-client registry for the `surge_outbox_*` metrics. */
  metrics?: Registry;
  /** Role changes (`info`), retried failures (`warn`), a row that cannot be decoded (`error`). Default silent. */
  log?: Log;
}

/** Applies defaults; throws a RangeError for an invalid value. */
export function resolveOutboxRelayOptions<DB>(opts: OutboxRelayOptions<DB>) {
  const batchSize = positive('batchSize', opts.batchSize ?? 500);
  if (!Number.isInteger(batchSize)) throw new RangeError('batchSize must be an integer');
  if (opts.lock.name.length === 0 || opts.lock.name.length > 64)
    throw new RangeError('lock.name: 1..64 chars');
  const pollIntervalMs = positive('pollIntervalMs', opts.pollIntervalMs ?? 100);
  const lockIdleTimeoutSec = positive('lock.idleTimeoutSec', opts.lock.idleTimeoutSec ?? 30);
  // The relay must use its lock's connection well within the idle timeout, or MySQL drops it.
  if (lockIdleTimeoutSec * 1000 < 3 * Math.max(pollIntervalMs, opts.backoff?.maxMs ?? 5000))
    throw new RangeError('lock.idleTimeoutSec must be at least 3 × max(pollIntervalMs, backoff.maxMs)');
  return Object.freeze({
    ...opts,
    table: opts.table ?? 'outbox',
    batchSize,
    pollIntervalMs,
    retentionMs: positive('retentionMs', opts.retentionMs ?? 24 * 3600_000),
    cleanupIntervalMs: positive('cleanupIntervalMs', opts.cleanupIntervalMs ?? 60_000),
    statsIntervalMs: positive('statsIntervalMs', opts.statsIntervalMs ?? 1000),
    queryTimeoutMs: positive('queryTimeoutMs', opts.queryTimeoutMs ?? 5000),
    closeTimeoutMs: positive('closeTimeoutMs', opts.closeTimeoutMs ?? 10_000),
    lockRetryMs: positive('lock.retryMs', opts.lock.retryMs ?? 3000),
    lockIdleTimeoutSec,
    maxPublishBytes: positive('maxPublishBytes', opts.maxPublishBytes ?? 4 * 1024 * 1024),
    log: opts.log ?? silentLog,
  });
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number`);
  return value;
}
