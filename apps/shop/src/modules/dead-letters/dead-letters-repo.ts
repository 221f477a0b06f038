import type { Insertable, Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Message, RawRecord } from '@surge/messaging';
import type { Database, DeadLettersTable } from '../../db/schema.ts';
import { decodeStoredRecord } from './stored-record.ts';

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
  'value_bytes',
  'value_sha256',
  'truncated',
  'dlt_offset',
  'dlt_publish_error',
] as const;

type Row = Pick<Database['dead_letters'], Exclude<(typeof columns)[number], 'seq' | 'replay_count'>> & {
  seq: number;
  replay_count: number;
};

const PARTS = ['value', 'key', 'headers'] as const;
/** `truncated` as its parts (unknown words ignored). */
const parts = (v: string | null) => PARTS.filter((p) => v?.split(',').includes(p));

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
  valueBytes: r.value_bytes === null ? null : Number(r.value_bytes),
  valueSha256: r.value_sha256,
  truncated: parts(r.truncated),
  inDeadLetterTopic: r.dlt_offset !== null,
  publishError: r.dlt_publish_error,
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

    /**
     * Records a dead letter the broker refused (no `.dlt` position), once per original record and
     * consumer group: a redelivery of the same record after a crash inserts nothing. (One member
     * of a group handles a partition at a time, so check-then-insert does not race.)
     */
    async recordLastResort(row: Insertable<DeadLettersTable>): Promise<void> {
      let existing = db
        .selectFrom('dead_letters')
        .select('id')
        .where('dlt_offset', 'is', null)
        .where('original_topic', '=', row.original_topic);
      for (const [column, value] of [
        ['original_partition', row.original_partition],
        ['original_offset', row.original_offset],
        ['consumer_group', row.consumer_group],
      ] as const) {
        existing =
          value === null || value === undefined
            ? existing.where(column, 'is', null)
            : existing.where(column, '=', value);
      }
      if (await existing.executeTakeFirst()) return;
      await db.insertInto('dead_letters').values(row).execute();
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

    /**
     * What replay republishes: the original record as bytes (or, for rows from before ADR 0014,
     * the message as JSON), where it came from, and whether the stored copy is cut (then it
     * cannot be replayed).
     */
    async findForReplay(id: string): Promise<Replayable | undefined> {
      const row = await db
        .selectFrom('dead_letters')
        .select(['original_topic', 'message', 'record', 'truncated'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      const originalTopic = row.original_topic;
      if (row.truncated !== null) return { originalTopic, truncated: row.truncated.split(',') };
      if (row.record !== null) return { originalTopic, record: decodeStoredRecord(row.record) };
      return { originalTopic, message: JSON.parse(row.message ?? 'null') as Message };
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

/** A dead letter to replay: exactly one of `record`, `message`, `truncated`. */
export type Replayable = { originalTopic: string } & (
  | { record: RawRecord; message?: undefined; truncated?: undefined }
  | { message: Message; record?: undefined; truncated?: undefined }
  | { truncated: string[]; record?: undefined; message?: undefined }
);
