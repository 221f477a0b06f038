import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { isTransient, startFaultProxy, type FaultProxy } from '@surge/resilience';
import { TEST_MYSQL_URL } from '../testing/test-app.ts';
import { createDatabase } from './database.ts';
import type { Database } from './schema.ts';

/** Hang detector, not a timing threshold: a bounded query settles long before this. */
const HANG_MS = 15_000;

/** How `work` settled: its value, or the error it rejected with; throws if it hangs. */
async function settled<T>(work: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${HANG_MS} ms: it hangs`)), HANG_MS);
  });
  try {
    return await Promise.race([work.then((value) => ({ value })), hang]);
  } catch (error) {
    if (error instanceof Error && error.message.includes('it hangs')) throw error;
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

describe('MySQL queries are bounded (MariaDB behind a fault proxy)', () => {
  let proxy: FaultProxy;
  let db: Kysely<Database>;
  before(async () => {
    const url = new URL(process.env.MYSQL_URL ?? TEST_MYSQL_URL);
    proxy = await startFaultProxy({ target: { host: url.hostname, port: Number(url.port || 3306) } });
    url.host = proxy.address;
    // One connection: a timed-out connection handed out again would hang the next query.
    ({ db } = createDatabase({
      url: url.toString(),
      timeoutMs: 1000,
      queryTimeoutMs: 500,
      connectionLimit: 1,
    }));
  });
  after(async () => {
    await proxy.heal();
    await db.destroy();
    await proxy.close();
  });

  it(
    'regression: a black-holed MySQL fails each query (transient) instead of hanging it, ' +
      'and the pool works again after healing',
    async () => {
      const one = () => sql<{ one: number }>`SELECT 1 AS one`.execute(db);
      assert.equal((await one()).rows[0]?.one, 1);
      await proxy.set({ kind: 'blackHole' });
      // The open connection is frozen mid-use, then the next attempts need a new connection.
      for (let i = 0; i < 3; i++) {
        const { error } = await settled(one());
        assert.ok(error, `query ${i} failed`);
        assert.equal(isTransient(error), true, (error as Error).message);
      }
      const inTransaction = await settled(
        db.transaction().execute(async (trx) => sql`SELECT 1`.execute(trx)),
      );
      assert.equal(
        isTransient(inTransaction.error),
        true,
        (inTransaction.error as Error | undefined)?.message,
      );
      await proxy.heal();
      assert.equal((await one()).rows[0]?.one, 1);
    },
  );

  it('a query slower than the budget fails with PROTOCOL_SEQUENCE_TIMEOUT; the next one runs', async () => {
    const { error } = await settled(sql`SELECT SLEEP(3)`.execute(db));
    assert.equal((error as { code?: string }).code, 'PROTOCOL_SEQUENCE_TIMEOUT');
    assert.equal((await sql<{ two: number }>`SELECT 2 AS two`.execute(db)).rows[0]?.two, 2);
  });
});
