import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { eventually } from '@surge/test-support';
import { deleteTopicsWithPrefix } from '../testing/kafka-topics.ts';
import { scratchDatabase } from '../testing/scratch-database.ts';
import { spawnService, waitFor, type ServiceProcess } from '../testing/spawn-service.ts';
import { newUser } from '../testing/test-app.ts';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/**
 * Issue 8, finding 12: a consumer's failed insert logged its full SQL with the event's data (an
 * email), and so did a route's. Here the real service (production logger, JSON on stdout) meets
 * both: the audit consumer's insert fails on a column that no longer takes the event's data, then
 * registration's insert fails on a column without a default. The errors are logged — and no
 * line carries an email, a statement or its values.
 */
describe('error logs carry no event data and no SQL parameters', () => {
  const scratch = scratchDatabase('redact');
  const prefix = `test-redact-${crypto.randomUUID().slice(0, 8)}-`;
  let svc: ServiceProcess | undefined;

  after(async () => {
    if (svc && svc.child.exitCode === null) svc.child.kill('SIGKILL');
    await svc?.exited;
    await Promise.all([deleteTopicsWithPrefix(BROKERS, prefix), scratch.drop()]);
  });

  it(
    'a consumer error and a route error are logged without the email or the statement',
    { timeout: 180_000 },
    async () => {
      const service = await spawnService({
        SURGE_ROLE: 'all',
        MYSQL_URL: scratch.url,
        KAFKA_TOPIC_PREFIX: prefix,
        ACCESS_LOG: 'errors',
      });
      svc = service;
      await waitFor(service, '/health/ready', 200, 60_000);
      const register = (body: ReturnType<typeof newUser>) =>
        fetch(`${service.baseUrl}/v1/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });

      // The consumer: audit_log's data column drifted to a number; MySQL quotes the refused value
      // (the event's JSON, email included) in its message, mysql2 the whole statement in `sql`.
      const first = newUser('redact');
      await sql`ALTER TABLE audit_log MODIFY data BIGINT NULL`.execute(scratch.db);
      assert.equal((await register(first)).status, 201);
      await eventually(
        'the audit consumer to dead-letter the event',
        () => Promise.resolve(service.output().includes('message dead-lettered') || undefined),
        {
          progress: () => service.output().slice(-2000),
        },
      );

      // The route: the users insert fails on a column the statement does not fill.
      const second = newUser('redact');
      await sql`ALTER TABLE users ADD COLUMN must_fill INT NOT NULL`.execute(scratch.db);
      assert.equal((await register(second)).status, 500);
      await eventually(
        'the route error to be logged',
        () => Promise.resolve(service.output().includes('unhandled error') || undefined),
        {
          progress: () => service.output().slice(-2000),
        },
      );

      const out = service.output();
      // Both errors were logged …
      assert.match(out, /Incorrect integer value/);
      assert.match(out, /Field 'must_fill' doesn't have a default value/);
      // … without anything of the data …
      for (const secret of [first.email, second.email, second.password, second.displayName]) {
        assert.equal(out.includes(secret), false, `the log contains ${secret}`);
      }
      assert.doesNotMatch(out, /INSERT INTO|"sql":|"sqlMessage":/i);
      // … and with what an operator needs: the code, the column, the masked value.
      assert.match(out, /"code":"ER_TRUNCATED_WRONG_VALUE_FOR_FIELD"/);
      assert.match(out, /Incorrect integer value: '\?' for column `[^`]+`\.`audit_log`\.`data`/);
    },
  );
});
