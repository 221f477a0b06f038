import { accessSync, constants, readFileSync } from 'node:fs';
import type { PoolOptions, SslOptions } from 'mysql2';

/**
 * TLS to MySQL, chosen by `MYSQL_URL` parameters named like the MySQL client's options
 * (`mysql --ssl-mode`, `--ssl-ca`, …; docs/operations.md):
 * - `ssl-mode`: `DISABLED` (default), `REQUIRED` (encrypted, the server's certificate not
 *   checked), `VERIFY_CA` (its chain checked against `ssl-ca`, or the system CAs), or
 *   `VERIFY_IDENTITY` (the chain and the host name in the URL).
 * - `ssl-ca`: path of a PEM bundle of the CAs to trust (VERIFY_CA / VERIFY_IDENTITY).
 * - `ssl-cert`, `ssl-key`: paths of a PEM client certificate and its key, together (any mode
 *   but DISABLED), for servers that require `REQUIRE X509`.
 */
const SSL_MODES = ['DISABLED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'] as const;
const FILE_PARAMS = ['ssl-ca', 'ssl-cert', 'ssl-key'] as const;
const PARAMS = new Set<string>(['ssl-mode', ...FILE_PARAMS]);

type SslMode = (typeof SSL_MODES)[number];

const modeOf = (u: URL): string => (u.searchParams.get('ssl-mode') ?? 'DISABLED').toUpperCase();

/**
 * What is wrong with a `MYSQL_URL`'s parameters, one line each (empty when nothing is): unknown
 * parameters, an unknown `ssl-mode`, files that cannot be read, combinations that mean nothing.
 */
export function mysqlUrlProblems(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return ['MYSQL_URL is not a URL'];
  }
  const problems: string[] = [];
  for (const name of new Set(u.searchParams.keys())) {
    if (!PARAMS.has(name)) {
      problems.push(
        `MYSQL_URL parameter "${name}" is unknown; TLS is set with ssl-mode=${SSL_MODES.join('|')}, ssl-ca, ssl-cert and ssl-key`,
      );
    } else if (u.searchParams.getAll(name).length > 1) {
      problems.push(`MYSQL_URL parameter "${name}" is given twice`);
    }
  }
  const mode = modeOf(u);
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    problems.push(`MYSQL_URL ssl-mode must be one of ${SSL_MODES.join(', ')} (got "${mode}")`);
  }
  for (const name of FILE_PARAMS) {
    const path = u.searchParams.get(name);
    if (path === null) continue;
    if (mode === 'DISABLED') problems.push(`MYSQL_URL ${name} needs an ssl-mode other than DISABLED`);
    try {
      accessSync(path, constants.R_OK);
    } catch {
      problems.push(`MYSQL_URL ${name}: cannot read the file "${path}"`);
    }
  }
  if (u.searchParams.has('ssl-ca') && mode === 'REQUIRED') {
    problems.push('MYSQL_URL ssl-ca is used only by ssl-mode=VERIFY_CA or VERIFY_IDENTITY');
  }
  if (u.searchParams.has('ssl-cert') !== u.searchParams.has('ssl-key')) {
    problems.push('MYSQL_URL ssl-cert and ssl-key go together');
  }
  return problems;
}

/** mysql2's `ssl` option for the URL's parameters; undefined for `DISABLED`. */
function sslOptions(u: URL): SslOptions | undefined {
  const mode = modeOf(u) as SslMode;
  if (mode === 'DISABLED') return undefined;
  const file = (name: (typeof FILE_PARAMS)[number]) => {
    const path = u.searchParams.get(name);
    return path === null ? undefined : readFileSync(path, 'utf8');
  };
  const ca = file('ssl-ca');
  const cert = file('ssl-cert');
  const key = file('ssl-key');
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    rejectUnauthorized: mode !== 'REQUIRED',
    verifyIdentity: mode === 'VERIFY_IDENTITY',
  };
}

/**
 * Splits a MySQL URL (`mysql://user:password@host:port/database?ssl-mode=…`) into mysql2 pool
 * options; the database name is returned separately. Config validation (`mysqlUrlProblems`)
 * has run before, so the parameters are known and the files readable.
 */
export function parseMysqlUrl(url: string): PoolOptions & { database: string } {
  const u = new URL(url);
  const ssl = sslOptions(u);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, ''),
    ...(ssl === undefined ? {} : { ssl }),
  };
}
