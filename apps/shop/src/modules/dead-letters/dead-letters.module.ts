import type { FastifyInstance } from 'fastify';
import { deadLetterTopic } from '@surge/messaging';
import { defineModule } from '../feature-module.ts';
import { deadLetterLastResort, deadLetterRecorder } from './dead-letter-recorder.ts';
import { createDeadLettersRepo } from './dead-letters-repo.ts';
import { deadLettersRoutes } from './dead-letters-routes.ts';
import * as m0005 from './migrations/0005-dead-letter-records.ts';

/**
 * dead-letters: records every record of every `.dlt` topic in MySQL (G7), as bytes, and lets
 * admins list and replay them; it is also the router's last resort for dead letters the broker
 * refused (ADR 0014). One consumer group per dead-letter topic: members of one group subscribed to
 * different topics are given partitions they never fetch (issue 7), so a shared group loses records.
 */
export const deadLettersModule = defineModule({
  name: 'dead-letters',
  migrations: { '0005-dead-letter-records': m0005 },
  problems: { DEAD_LETTER_TRUNCATED: 409 },
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
      // A dead letter the broker refused to take is stored here directly (ADR 0014).
      lastResort: deadLetterLastResort(repo),
    };
  },
});
