import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Publisher, RecordPublisher } from '@surge/messaging';
import {
  ADMIN_ONLY,
  DEPENDENCY_DOWN,
  INVALID_QUERY,
  PARSED_BODY,
  PATH_PARAMS,
  problems,
} from '../../http/openapi.ts';
import { decodeCursor, page, pageOf, PageQuery, UUID } from '../../http/pagination.ts';
import { DomainError, dependencyUnavailable, notFound } from '../../errors.ts';
import type { DeadLettersRepo } from './dead-letters-repo.ts';

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
  valueBytes: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Bytes of the original value (null: it had none, a tombstone)',
  }),
  valueSha256: Type.Union([Type.String(), Type.Null()], { description: 'Hex SHA-256 of the original value' }),
  truncated: Type.Array(Type.Union([Type.Literal('value'), Type.Literal('key'), Type.Literal('headers')]), {
    description:
      'What the stored copy lacks (it was too large to keep whole); empty when whole. A truncated dead letter cannot be replayed.',
  }),
  inDeadLetterTopic: Type.Boolean({
    description:
      'False when the broker refused the dead-letter copy and it was stored here as the last resort',
  }),
  publishError: Type.Union([Type.String(), Type.Null()], {
    description: 'Why the dead-letter copy never reached its .dlt topic (last resort only)',
  }),
});

/** The stored copy of the dead letter was cut to fit: republishing a prefix would be a different record. */
export const deadLetterTruncated = (parts: readonly string[]) =>
  new DomainError(
    'DEAD_LETTER_TRUNCATED',
    `this dead letter was stored truncated (${parts.join(', ')}): only its size and SHA-256 are known, it cannot be replayed`,
  );

/** Admin: list dead letters (newest first) with origin and error; replay one to its original topic. */
export const deadLettersRoutes: FastifyPluginAsyncTypebox<{
  repo: DeadLettersRepo;
  publisher: Publisher & RecordPublisher;
}> = async (app, { repo, publisher }) => {
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
          ...problems(INVALID_QUERY, { 400: ['INVALID_CURSOR'] }, ADMIN_ONLY, DEPENDENCY_DOWN),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const before = decodeCursor(request.query.cursor, /^\d{1,19}$/);
      const items = await repo.list({
        limit: limit + 1,
        ...(before === undefined ? {} : { beforeSeq: Number(before) }),
      });
      return page(
        items,
        limit,
        (d) => d.item,
        (d) => String(d.seq),
      );
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
          'Republish a dead letter to its original topic, byte for byte (same event id, so consumers stay idempotent)',
        params: Type.Object({ id: Type.String({ pattern: UUID.source }) }),
        response: {
          200: DeadLetter,
          ...problems(
            PATH_PARAMS,
            PARSED_BODY,
            ADMIN_ONLY,
            { 404: ['NOT_FOUND'], 409: ['DEAD_LETTER_TRUNCATED'] },
            DEPENDENCY_DOWN,
          ),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const found = await repo.findForReplay(id);
      if (!found) throw notFound('dead letter');
      if (found.truncated) throw deadLetterTruncated(found.truncated);
      try {
        if (found.record) await publisher.publishRecords(found.originalTopic, [found.record]);
        else await publisher.publish(found.originalTopic, [found.message]);
      } catch (err) {
        throw dependencyUnavailable('kafka', err);
      }
      const replayed = await repo.markReplayed(id);
      request.log.info({ deadLetterId: id, topic: found.originalTopic }, 'dead letter replayed');
      if (!replayed) throw notFound('dead letter');
      return replayed;
    },
  );
  return Promise.resolve();
};
