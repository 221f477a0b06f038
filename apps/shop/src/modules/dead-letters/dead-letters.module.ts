import type { FastifyInstance } from 'fastify';
import { deadLetterTopic } from '@surge/messaging';
import { defineModule } from '../feature-module.ts';
import { deadLetterRecorder } from './dead-letter-recorder.ts';
import { createDeadLettersRepo } from './dead-letters-repo.ts';
import { deadLettersRoutes } from './dead-letters-routes.ts';

/**
 * dead-letters: records every record of every `.dlt` topic in MySQL (G7) and lets admins list and
 * replay them. One consumer group per dead-letter topic: members of one group subscribed to
 * different topics are given partitions they never fetch (issue 7), so a shared group loses records.
 */
export const deadLettersModule = defineModule({
  name: 'dead-letters',
  create(ctx) {
    const repo = createDeadLettersRepo(ctx.db);
    const record = deadLetterRecorder(repo);
    return {
      repo,
      routes: async (app: FastifyInstance) => {
        await app.register(deadLettersRoutes, { repo, publisher: ctx.publisher });
      },
      consumers: ctx.topics.map((t) => ({
        name: `dead-letters:${t.name}`,
        topic: deadLetterTopic(t.name),
        group: `surge-dead-letter-recorder.${deadLetterTopic(t.name)}`,
        handle: record,
        validate: false,
      })),
    };
  },
});
