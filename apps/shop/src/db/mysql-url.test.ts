import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mysqlUrlProblems, parseMysqlUrl } from './mysql-url.ts';

const dir = mkdtempSync(join(tmpdir(), 'surge-mysql-url-'));
const ca = join(dir, 'ca.pem');
writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');

describe('MYSQL_URL parameters (TLS)', () => {
  it('no parameters: plain connection options, credentials decoded', () => {
    assert.deepEqual(parseMysqlUrl('mysql://u%40x:p%2Fw@db:3307/shop'), {
      host: 'db',
      port: 3307,
      user: 'u@x',
      password: 'p/w',
      database: 'shop',
    });
  });

  it('maps each ssl-mode to what mysql2 checks', () => {
    const ssl = (q: string) => parseMysqlUrl(`mysql://u@db/shop?${q}`).ssl;
    assert.equal(ssl('ssl-mode=DISABLED'), undefined);
    assert.deepEqual(ssl('ssl-mode=REQUIRED'), { rejectUnauthorized: false, verifyIdentity: false });
    assert.deepEqual(ssl(`ssl-mode=verify_ca&ssl-ca=${ca}`), {
      ca: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
      rejectUnauthorized: true,
      verifyIdentity: false,
    });
    assert.deepEqual(ssl('ssl-mode=VERIFY_IDENTITY'), { rejectUnauthorized: true, verifyIdentity: true });
  });

  it('names what is wrong: unknown parameters, modes, unreadable files, lone halves', () => {
    assert.deepEqual(mysqlUrlProblems(`mysql://u@db/shop?ssl-mode=VERIFY_IDENTITY&ssl-ca=${ca}`), []);
    const problems = mysqlUrlProblems(
      `mysql://u@db/shop?ssl=true&ssl-mode=ON&ssl-cert=${join(dir, 'missing.pem')}`,
    ).join('\n');
    assert.match(problems, /parameter "ssl" is unknown/);
    assert.match(
      problems,
      /ssl-mode must be one of DISABLED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY \(got "ON"\)/,
    );
    assert.match(problems, /ssl-cert: cannot read the file/);
    assert.match(problems, /ssl-cert and ssl-key go together/);
    assert.match(
      mysqlUrlProblems(`mysql://u@db/shop?ssl-ca=${ca}`).join(),
      /ssl-ca needs an ssl-mode other than DISABLED/,
    );
    assert.match(
      mysqlUrlProblems(`mysql://u@db/shop?ssl-mode=REQUIRED&ssl-ca=${ca}`).join(),
      /ssl-ca is used only by/,
    );
  });
});
