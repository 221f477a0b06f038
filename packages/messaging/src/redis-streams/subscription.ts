import type { Handler, Subscription } from '../ports.ts';
import { backoffMs, sleep, withTimeout } from '@surge/resilience';
import { startKeepalive } from './keepalive.ts';
import { toDelivery, type StreamEntry } from './stream-delivery.ts';
import type { StreamOps } from './stream-ops.ts';
import { isNoGroupError } from './stream-replies.ts';
import type { SubscriberSettings } from './subscriber-options.ts';

/** XAUTOCLAIM pages per claim check, bounding one check's work on a large PEL. */
const CLAIM_PAGES = 10;
/** Consumers holding nothing are deleted after this many `claimIdleMs` without a sign of life. */
const SWEEP_AFTER_CLAIM_IDLES = 10;

/**
 * One member reading one stream for one group. Entries are handled one at a time in stream order
 * and XACKed only after the handler resolved. A rejected entry stays pending and is redelivered
 * (XCLAIM, counting a delivery) after a backoff, before any later entry. Every half `claimIdleMs`
 * it takes over entries idle that long with other (dead) members and handles them first.
 */
/** How long close waits for CLIENT UNBLOCK before dropping the read connection instead, ms. */
const UNBLOCK_TIMEOUT_MS = 2_000;

export function startSubscription(p: {
  ops: StreamOps;
  stream: string;
  group: string;
  handler: Handler;
  settings: SubscriberSettings;
  /** Closes the blocking-read connection, after the loop stopped. */
  /** Closes the read connection: QUIT after pending replies, or at once (`force`) — a blocked read ends then. */
  closeReads: (force: boolean) => Promise<void>;
}): Subscription {
  const { ops, stream, handler, settings: s } = p;
  const where = `${stream} (group ${p.group}, consumer ${s.consumerName})`;
  const report = (err: unknown, context: string) => s.log.warn({ err, stream, group: p.group }, context);
  const stopping = new AbortController(); // stops reading, cuts backoffs short
  const hardStop = new AbortController(); // the handlers' signal: aborted when close gives up waiting
  /** Entries read and not acked yet, in stream order; the first may be in its handler. */
  let batch: StreamEntry[] = [];
  let blockedClientId: number | undefined;
  let claimCursor = '0-0';
  const keepalive = startKeepalive({
    held: () => batch.map((e) => e.id),
    touch: (ids) => ops.touch(ids),
    intervalMs: Math.max(1, Math.floor(s.claimIdleMs / 3)),
    onError: (err) => report(err, `keeping the entries of ${where} fresh`),
  });
  const loop = run().catch((err: unknown) => report(err, `read loop of ${where}`));
  let closing: Promise<void> | undefined;

  async function run(): Promise<void> {
    let ownPending = true; // start with what this consumer name already holds
    let nextClaimAt = 0;
    let failures = 0;
    while (!stopping.signal.aborted) {
      try {
        if (Date.now() >= nextClaimAt) {
          nextClaimAt = Date.now() + s.claimIdleMs / 2;
          if (await claimIdle()) ownPending = true;
          await ops
            .sweepConsumers(s.claimIdleMs * SWEEP_AFTER_CLAIM_IDLES)
            .catch((err: unknown) => report(err, `deleting idle consumers of ${where}`));
        }
        if (stopping.signal.aborted) break;
        if (ownPending) {
          const { entries, trimmed } = await ops.readOwnPending(s.batchSize);
          reportTrimmed(trimmed);
          batch = entries;
          ownPending = entries.length > 0 || trimmed.length > 0;
        } else {
          batch = await ops.readNew(s.batchSize, s.blockMs, (id) => (blockedClientId = id));
        }
        failures = 0;
        await deliverBatch();
      } catch (err) {
        if (stopping.signal.aborted) break;
        report(err, `reading ${where}`);
        // The stream (and its group) was deleted, or a restarted server lost it.
        if (isNoGroupError(err)) await ops.ensureGroup().catch(() => {});
        // A lost reply may have left entries in this consumer's PEL: look there first.
        ownPending = true;
        batch = [];
        await sleep(
          backoffMs(++failures, { baseMs: s.redeliveryBaseMs, maxMs: s.redeliveryMaxMs }),
          stopping.signal,
        );
      }
    }
  }

  async function deliverBatch(): Promise<void> {
    while (batch.length > 0 && !stopping.signal.aborted) {
      const entry = batch[0]!;
      if (await handle(entry)) {
        await ops.ack(entry.id);
        batch.shift();
        continue;
      }
      entry.handled = true;
      await sleep(
        backoffMs(entry.attempt, { baseMs: s.redeliveryBaseMs, maxMs: s.redeliveryMaxMs }),
        stopping.signal,
      );
      if (stopping.signal.aborted) return;
      const again = await ops.redeliver(entry.id);
      if (again === 'gone') batch.shift();
      else batch[0] = again;
    }
  }

  async function handle(entry: StreamEntry): Promise<boolean> {
    try {
      await handler(toDelivery(stream, entry), hardStop.signal);
      return true;
    } catch (err) {
      report(err, `handler rejected ${stream}@${entry.id} (attempt ${entry.attempt})`);
      return false;
    }
  }

  async function claimIdle(): Promise<boolean> {
    let claimed = 0;
    for (let page = 0; page < CLAIM_PAGES && claimed < s.batchSize; page++) {
      const { cursor, ids, deleted } = await ops.claimIdle(s.claimIdleMs, claimCursor, s.batchSize);
      claimCursor = cursor;
      claimed += ids.length;
      reportTrimmed(deleted);
      if (cursor === '0-0') break;
    }
    return claimed > 0;
  }

  function reportTrimmed(ids: readonly string[]) {
    if (ids.length === 0) return;
    const err = new Error(`${ids.length} pending entries of ${where} were trimmed before being processed`);
    report(err, `trimmed: ${ids.slice(0, 10).join(', ')}`);
  }

  async function shutdown(): Promise<void> {
    stopping.abort();
    if (blockedClientId !== undefined) {
      const id = blockedClientId;
      const unblocked = await withTimeout(
        () => ops.unblock(id),
        Math.min(s.closeTimeoutMs, UNBLOCK_TIMEOUT_MS),
      ).then(
        () => true,
        (err: unknown) => (report(err, `unblocking ${where}`), false),
      );
      // No UNBLOCK (Redis slow, connection busy): drop the read connection, so the blocked read
      // ends now instead of after its BLOCK time (a QUIT would queue behind it).
      if (!unblocked) await p.closeReads(true);
    }
    // The loop never rejects (its errors are reported above): a rejection here is the deadline.
    const finished = await withTimeout(() => loop, s.closeTimeoutMs).then(
      () => true,
      () => false,
    );
    hardStop.abort(new Error(`subscription to ${where} closed`));
    keepalive.stop();
    if (finished) {
      // What was read but not handled goes back to the group now rather than after claimIdleMs.
      try {
        if (batch.length > 0) await ops.release(batch);
        batch = [];
        if (s.ownsConsumerName) await ops.deleteConsumerIfIdle();
      } catch (err) {
        report(err, `handing back the entries of ${where}`);
      }
    } else {
      const err = new Error(`handlers of ${where} still ran after ${s.closeTimeoutMs} ms`);
      report(err, 'close: their entries stay pending until another member claims them');
    }
    await p.closeReads(!finished);
  }

  return { close: () => (closing ??= shutdown()) };
}
