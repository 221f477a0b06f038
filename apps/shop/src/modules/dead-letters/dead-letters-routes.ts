import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Message, Publisher } from '@surge/messaging';
import type { Database } from '../../db/schema.ts';
import {
  ADMIN_ONLY,
  DEPENDENCY_DOWN,
  INVALID_QUERY,
  PARSED_BODY,
  PATH_PARAMS,
  problems,
} from '../../http/openapi.ts';
import { decodeCursor, page, pageOf, PageQuery, UUID } from '../../http/pagination.ts';
import { AppError, dependencyUnavailable } from '../../http/problem.ts';

const DeadLetter = Type.Object({
  id: Type.String(),
  originalTopic: Type.String(),
  originalPartition: Type.Union([Type.Integer(), Type.Null()]),
  originalOffset: Type.Union([Type.String(), Type.Null()]),
  consumerGroup: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Union([Type.Integer(), Type.Null()]),
  errorClass: Type.Union([Type.String(), Type.Null()]),
  errorMessage: Type.Union([Type.String(), Type.Null()]),
  eventId: Type.Union([Type.String(), Type.Null()]),
  eventType: Type.Union([Type.String(), Type.Null()]),
  key: Type.String(),
  failedAt: Type.String({ format: 'date-time' }),
  replayedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  replayCount: Type.Integer(),
});

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

/** Admin: list dead letters (newest first) with origin and error; replay one to its original topic. */
export const deadLettersRoutes: FastifyPluginAsyncTypebox<{
  db: Kysely<Database>;
  publisher: Publisher;
}> = async (app, { db, publisher }) => {
  const admin = {
    onRequest: [app.authenticate, app.requireRole('admin')],
    schema: { security: [{ bearer: [] }] },
  };

  app.get(
    '/v1/admin/dead-letters',
    {
      ...admin,
      schema: {
        ...admin.schema,
        operationId: 'listDeadLetters',
        tags: ['admin'],
        summary: 'Dead-lettered messages, newest first',
        querystring: PageQuery,
        response: {
          200: pageOf(DeadLetter),
          ...problems(INVALID_QUERY, { 400: ['INVALID_CURSOR'] }, ADMIN_ONLY),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const before = decodeCursor(request.query.cursor, /^\d{1,19}$/);
      let q = db
        .selectFrom('dead_letters')
        .select(columns)
        .orderBy('seq', 'desc')
        .limit(limit + 1);
      if (before !== undefined) q = q.where('seq', '<', Number(before));
      return page(await q.execute(), limit, toItem, (r) => String(r.seq));
    },
  );

  app.post(
    '/v1/admin/dead-letters/:id/replay',
    {
      ...admin,
      schema: {
        ...admin.schema,
        operationId: 'replayDeadLetter',
        tags: ['admin'],
        summary:
          'Republish a dead letter to its original topic (same event id, so consumers stay idempotent)',
        params: Type.Object({ id: Type.String({ pattern: UUID.source }) }),
        response: {
          200: DeadLetter,
          ...problems(PATH_PARAMS, PARSED_BODY, ADMIN_ONLY, { 404: ['NOT_FOUND'] }, DEPENDENCY_DOWN),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const row = await db
        .selectFrom('dead_letters')
        .select([...columns, 'message'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw new AppError(404, 'NOT_FOUND', 'no dead letter with this id');
      const message = JSON.parse(row.message) as Message;
      try {
        await publisher.publish(row.original_topic, [message]);
      } catch (err) {
        throw dependencyUnavailable('kafka', err);
      }
      await db
        .updateTable('dead_letters')
        .set({ replayed_at: new Date(), replay_count: sql`replay_count + 1` })
        .where('id', '=', id)
        .execute();
      request.log.info({ deadLetterId: id, topic: row.original_topic }, 'dead letter replayed');
      const updated = await db
        .selectFrom('dead_letters')
        .select(columns)
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return toItem(updated);
    },
  );
  return Promise.resolve();
};
