import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { throwawayMysql, type ThrowawayMysql } from '@surge/test-support';
import { loadConfig } from '../config.ts';
import { EX_CONFIG, needingMysql, StartupFailure } from '../startup-failure.ts';
import { createDatabase } from './database.ts';
import { migrateToLatest } from './migrate.ts';

/** The TLS cipher of a fresh connection made from `url` the way the service makes them; '' when plain. */
async function cipherOf(url: string): Promise<string> {
  const { db } = createDatabase({ url, timeoutMs: 5000, connectionLimit: 1 });
  try {
    const { rows } = await sql<{ Value: string }>`SHOW SESSION STATUS LIKE 'Ssl_cipher'`.execute(db);
    return rows[0]?.Value ?? '';
  } finally {
    await db.destroy();
  }
}

/**
 * Issue 8, finding 13: `MYSQL_URL` with `?ssl=…` was refused by the configuration, so the
 * service could not talk to MySQL over TLS. A MariaDB of the test's own serves TLS with a
 * throwaway CA and a certificate for `localhost`.
 */
describe('MySQL over TLS, chosen by MYSQL_URL parameters', () => {
  let mysql: ThrowawayMysql;
  let ca: string;
  before(
    async () => {
      mysql = await throwawayMysql({ tls: true });
      ca = mysql.caPath ?? assert.fail('no CA');
    },
    { timeout: 180_000 },
  );
  after(() => mysql?.stop());

  it('without ssl-mode the connection is plain', async () => {
    assert.equal(await cipherOf(mysql.url('mysql')), '');
  });

  it('ssl-mode=REQUIRED encrypts without checking the certificate', async () => {
    assert.notEqual(await cipherOf(`${mysql.url('mysql')}?ssl-mode=REQUIRED`), '');
  });

  it('VERIFY_IDENTITY with ssl-ca: the configuration accepts it, migrations and queries run over TLS', async () => {
    const url = `mysql://root@localhost:${mysql.port}/surge_tls?ssl-mode=VERIFY_IDENTITY&ssl-ca=${ca}`;
    assert.equal(loadConfig({ SURGE_PROFILE: 'test', MYSQL_URL: url }).mysqlUrl, url);
    const applied = await migrateToLatest(url, 10_000);
    assert.ok(applied.includes('0001-users'), applied.join());
    assert.notEqual(await cipherOf(url), '');
  });

  it('VERIFY_CA without the CA refuses the self-signed server; start-up names ssl-ca (exit 78)', async () => {
    const url = `${mysql.url('surge_tls')}?ssl-mode=VERIFY_CA`;
    await assert.rejects(
      needingMysql(url, () => migrateToLatest(url, 10_000)),
      (err: unknown) =>
        err instanceof StartupFailure &&
        err.exitCode === EX_CONFIG &&
        /TLS certificate of MySQL at 127\.0\.0\.1:\d+ was refused .*set ssl-ca .* in MYSQL_URL/.test(
          err.message,
        ),
    );
  });

  it('an account that requires TLS gets in only with an ssl-mode', async () => {
    const { db } = createDatabase({ url: mysql.url('mysql'), timeoutMs: 5000, connectionLimit: 1 });
    try {
      await sql`CREATE USER IF NOT EXISTS 'tls_only'@'%' REQUIRE SSL`.execute(db);
      await sql`GRANT ALL ON *.* TO 'tls_only'@'%'`.execute(db);
    } finally {
      await db.destroy();
    }
    const url = `mysql://tls_only@127.0.0.1:${mysql.port}/mysql`;
    await assert.rejects(cipherOf(url), (err: { code?: string }) => err.code === 'ER_ACCESS_DENIED_ERROR');
    assert.notEqual(await cipherOf(`${url}?ssl-mode=REQUIRED`), '');
  });
});
