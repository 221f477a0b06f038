import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { withNamedLock } from './mysql-named-lock.ts';

/** A Kysely whose pool cannot make a connection: `connection().execute` rejects before `fn` runs. */
const unreachableDb = (err: Error) =>
  ({ connection: () => ({ execute: () => Promise.reject(err) }) }) as unknown as Kysely<unknown>;

describe('withNamedLock (no database)', () => {
  it(
    'regression (issue 8, finding 1): MySQL refusing connections rejects the call at once, ' +
      'never as an unhandled rejection (which ended the process)',
    async () => {
      const unhandled: unknown[] = [];
      const record = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', record);
      try {
        const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), {
          code: 'ECONNREFUSED',
        });
        let ran = false;
        const call = withNamedLock(
          unreachableDb(refused),
          'surge-test-lock',
          { timeoutMs: 300, idleTimeoutSec: 5 },
          () => Promise.resolve(void (ran = true)),
        );
        // The driver's error itself, not "acquire a connection timed out" after the budget.
        await assert.rejects(call, (e) => e === refused);
        assert.equal(ran, false);
        // Past the budget: a rejection left unhandled until then would have been reported.
        await new Promise((r) => setTimeout(r, 400));
        assert.deepEqual(unhandled, []);
      } finally {
        process.off('unhandledRejection', record);
      }
    },
  );
});
