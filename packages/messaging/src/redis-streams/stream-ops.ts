import type { Redis } from 'ioredis';
import type { StreamEntry } from './stream-delivery.ts';
import {
  parseAutoclaimIds,
  parseConsumers,
  parseEntries,
  parsePendingCounts,
  parseReadGroup,
} from './stream-replies.ts';

/**
 * Idle time given to entries handed back on close: ten years, so any member's next XAUTOCLAIM
 * takes them whatever its `claimIdleMs`. Redis ignores an IDLE above the epoch time in ms.
 */
const RELEASED_IDLE_MS = 10 * 365 * 24 * 3600 * 1000;

/** The stream commands of one member (`consumer`) of one group on one stream. */
export type StreamOps = ReturnType<typeof streamOps>;

/**
 * @param commands connection for non-blocking commands, bounded by its `commandTimeout`
 * @param reads connection for `XREADGROUP … BLOCK` only: a blocked connection serves nobody else
 */
export function streamOps(commands: Redis, reads: Redis, stream: string, group: string, consumer: string) {
  async function pendingCounts(first: string, last: string, count: number): Promise<Map<string, number>> {
    return parsePendingCounts(await commands.call('XPENDING', stream, group, first, last, count, consumer));
  }

  return {
    /** Creates the group at the start of the stream (`0`, so nothing published earlier is missed). */
    async ensureGroup(): Promise<void> {
      try {
        await commands.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM');
      } catch (err) {
        if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
      }
    },

    /**
     * New entries (attempt 1), waiting up to `blockMs`; [] on timeout or `CLIENT UNBLOCK`.
     * `onBlocked` gets the read connection's client id while the read waits (for `unblock`), and
     * `undefined` once it returned — fetched in the same pipeline, so it is right after reconnects.
     */
    async readNew(
      count: number,
      blockMs: number,
      onBlocked: (clientId?: number) => void,
    ): Promise<StreamEntry[]> {
      const pipeline = reads.pipeline();
      pipeline.call('CLIENT', 'ID', (err, id) => {
        if (!err && typeof id === 'number') onBlocked(id);
      });
      pipeline.call(
        'XREADGROUP',
        'GROUP',
        group,
        consumer,
        'COUNT',
        count,
        'BLOCK',
        blockMs,
        'STREAMS',
        stream,
        '>',
      );
      try {
        const read = (await pipeline.exec())?.[1];
        if (!read) throw new Error('XREADGROUP got no reply');
        if (read[0]) throw read[0];
        return parseReadGroup(read[1]).map(({ id, fields }) => ({
          id,
          fields: fields ?? [],
          attempt: 1,
          handled: false,
        }));
      } finally {
        onBlocked(undefined);
      }
    },

    /**
     * This consumer's own pending entries, oldest first (after a claim, or under a stable name
     * after a restart). Reading them counts a delivery; `attempt` is the count from XPENDING.
     * Entries trimmed meanwhile are acked (their data is gone) and returned as `trimmed`.
     */
    async readOwnPending(count: number): Promise<{ entries: StreamEntry[]; trimmed: string[] }> {
      const raw = parseReadGroup(
        await commands.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', count, 'STREAMS', stream, '0'),
      );
      const trimmed = raw.filter((e) => e.fields === null).map((e) => e.id);
      if (trimmed.length > 0) await commands.call('XACK', stream, group, ...trimmed);
      const live = raw.flatMap((e) => (e.fields === null ? [] : [{ id: e.id, fields: e.fields }]));
      if (live.length === 0) return { entries: [], trimmed };
      const counts = await pendingCounts(live[0]!.id, live.at(-1)!.id, live.length);
      const entries = live.map((e) => ({ ...e, attempt: counts.get(e.id) ?? 1, handled: false }));
      return { entries, trimmed };
    },

    /**
     * Redelivers one pending entry to this consumer: XCLAIM counts a delivery and returns it.
     * `gone` when it is no longer pending (acked by a member that claimed it) or was trimmed.
     */
    async redeliver(id: string): Promise<StreamEntry | 'gone'> {
      const [entry] = parseEntries('XCLAIM', await commands.call('XCLAIM', stream, group, consumer, 0, id));
      if (!entry?.fields) return 'gone';
      const attempt = (await pendingCounts(id, id, 1)).get(id) ?? 1;
      return { id, fields: entry.fields, attempt, handled: false };
    },

    /**
     * Moves entries idle for `minIdleMs` from any member (a dead one) to this one, one page from
     * `cursor`. JUSTID: no delivery is counted until they are read from this consumer's PEL.
     */
    async claimIdle(minIdleMs: number, cursor: string, count: number) {
      return parseAutoclaimIds(
        await commands.call(
          'XAUTOCLAIM',
          stream,
          group,
          consumer,
          minIdleMs,
          cursor,
          'COUNT',
          count,
          'JUSTID',
        ),
      );
    },

    /** Resets the idle time of entries this member holds, so no other member claims them. */
    async touch(ids: readonly string[]): Promise<void> {
      if (ids.length > 0) await commands.call('XCLAIM', stream, group, consumer, 0, ...ids, 'JUSTID');
    },

    async ack(id: string): Promise<void> {
      await commands.call('XACK', stream, group, id);
    },

    /**
     * Hands entries back to the group on close: they look idle for years, so any member's next
     * XAUTOCLAIM takes them. An entry no handler saw gets its count back (RETRYCOUNT), so the
     * next member sees the attempt it really is rather than a redelivery that never happened.
     */
    async release(entries: readonly StreamEntry[]): Promise<void> {
      const byCount = new Map<number | undefined, string[]>();
      for (const e of entries) {
        const count = e.handled ? undefined : e.attempt - 1;
        byCount.set(count, [...(byCount.get(count) ?? []), e.id]);
      }
      for (const [count, ids] of byCount) {
        const retry = count === undefined ? [] : ['RETRYCOUNT', count];
        await commands.call(
          'XCLAIM',
          stream,
          group,
          consumer,
          0,
          ...ids,
          'IDLE',
          RELEASED_IDLE_MS,
          ...retry,
          'JUSTID',
        );
      }
    },

    /** Makes a waiting `readNew` return at once, empty, as if it had timed out. */
    async unblock(clientId: number): Promise<void> {
      await commands.call('CLIENT', 'UNBLOCK', clientId, 'TIMEOUT');
    },

    /**
     * Deletes other consumers that hold nothing and were idle `minIdleMs`: members that crashed or
     * closed with entries since claimed. Generated names would otherwise pile up in the group. A
     * live member deleted by mistake loses nothing (it holds nothing) and reappears on its next read.
     */
    async sweepConsumers(minIdleMs: number): Promise<string[]> {
      const idle = parseConsumers(await commands.call('XINFO', 'CONSUMERS', stream, group)).filter(
        (c) => c.name !== consumer && c.pending === 0 && c.idleMs >= minIdleMs,
      );
      for (const c of idle) await commands.call('XGROUP', 'DELCONSUMER', stream, group, c.name);
      return idle.map((c) => c.name);
    },

    /** Removes this consumer from the group if it holds no pending entry (DELCONSUMER drops them). */
    async deleteConsumerIfIdle(): Promise<void> {
      const pending = await commands.call('XPENDING', stream, group, '-', '+', 1, consumer);
      if (Array.isArray(pending) && pending.length === 0) {
        await commands.call('XGROUP', 'DELCONSUMER', stream, group, consumer);
      }
    },
  };
}
