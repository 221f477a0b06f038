import type { Insertable, Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Message } from '@surge/messaging';
import type { Database, DeadLettersTable } from '../../db/schema.ts';

const columns = [
  'seq',
  'id',
  'original_topic',
  'original_partition',
  'original_offset',
  'consumer_group',
  'attempts',
  'error_class',
  'error_message',
  'event_id',
  'event_type',
  'msg_key',
  'failed_at',
  'replayed_at',
  'replay_count',
] as const;

type Row = Pick<Database['dead_letters'], Exclude<(typeof columns)[number], 'seq' | 'replay_count'>> & {
  seq: number;
  replay_count: number;
};

const toItem = (r: Row) => ({
  id: r.id,
  originalTopic: r.original_topic,
  originalPartition: r.original_partition,
  originalOffset: r.original_offset === null ? null : String(r.original_offset),
  consumerGroup: r.consumer_group,
  attempts: r.attempts,
  errorClass: r.error_class,
  errorMessage: r.error_message,
  eventId: r.event_id,
  eventType: r.event_type,
  key: r.msg_key,
  failedAt: r.failed_at.toISOString(),
  replayedAt: r.replayed_at?.toISOString() ?? null,
  replayCount: r.replay_count,
});

export type DeadLetterItem = ReturnType<typeof toItem>;

export function createDeadLettersRepo(db: Kysely<Database>) {
  const findItem = async (id: string) => {
    const row = await db.selectFrom('dead_letters').select(columns).where('id', '=', id).executeTakeFirst();
    return row && toItem(row);
  };
  return {
    /** Records a dead letter once: keyed by its position in the `.dlt` topic (a redelivery inserts nothing). */
    async recordOnce(row: Insertable<DeadLettersTable>): Promise<void> {
      await db
        .insertInto('dead_letters')
        .values(row)
        .onDuplicateKeyUpdate({ dlt_offset: (eb) => eb.ref('dlt_offset') })
        .execute();
    },

    /** Newest first, at most `limit`, before the row counter `beforeSeq` when given (keyset). */
    async list(opts: {
      limit: number;
      beforeSeq?: number;
    }): Promise<Array<{ seq: number; item: DeadLetterItem }>> {
      let q = db.selectFrom('dead_letters').select(columns).orderBy('seq', 'desc').limit(opts.limit);
      if (opts.beforeSeq !== undefined) q = q.where('seq', '<', opts.beforeSeq);
      return (await q.execute()).map((r) => ({ seq: r.seq, item: toItem(r) }));
    },

    /** The message exactly as it was dead-lettered, and where it came from. */
    async findForReplay(id: string): Promise<{ originalTopic: string; message: Message } | undefined> {
      const row = await db
        .selectFrom('dead_letters')
        .select(['original_topic', 'message'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { originalTopic: row.original_topic, message: JSON.parse(row.message) as Message };
    },

    async markReplayed(id: string): Promise<DeadLetterItem | undefined> {
      await db
        .updateTable('dead_letters')
        .set({ replayed_at: new Date(), replay_count: sql`replay_count + 1` })
        .where('id', '=', id)
        .execute();
      return findItem(id);
    },
  };
}

export type DeadLettersRepo = ReturnType<typeof createDeadLettersRepo>;
