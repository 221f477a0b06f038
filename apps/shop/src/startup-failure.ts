import { errorSummary } from '@surge/resilience';
import { parseMysqlUrl } from './db/mysql-url.ts';

/** sysexits(3): what the operator has to change (78), or what is not there yet (69). */
export const EX_CONFIG = 78;
export const EX_UNAVAILABLE = 69;

/**
 * A start-up step failed for a reason an operator fixes: `message` is one line naming the
 * variable to look at; `exitCode` is 78 (a setting is wrong) or 69 (a dependency or the port is
 * unavailable; retrying later may work). main.ts prints it without a stack (issue 8, finding 13).
 */
export class StartupFailure extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, cause: unknown) {
    super(message, { cause });
    this.name = 'StartupFailure';
    this.exitCode = exitCode;
  }
}

/** The first `code` along `err`'s causes (mysql2 and Node put them on the error itself). */
function codeIn(err: unknown, depth = 0): string | undefined {
  if (err === null || typeof err !== 'object' || depth > 5) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const errors = (err as { errors?: unknown }).errors;
  for (const e of Array.isArray(errors) ? errors : []) {
    const found = codeIn(e, depth + 1);
    if (found) return found;
  }
  return codeIn((err as { cause?: unknown }).cause, depth + 1);
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
]);
const DENIED = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
]);
const TLS_REFUSED = new Set([
  'HANDSHAKE_SSL_ERROR',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Where MySQL is, for a message: host and port, never the user's password. */
interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  database: string;
}

/**
 * Runs a step that needs the MySQL of `mysqlUrl` (connect, create the database, migrate); a
 * failure an operator fixes becomes a `StartupFailure` naming MYSQL_URL.
 */
export async function needingMysql<T>(mysqlUrl: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const { host = '', port = 3306, user = '', database } = parseMysqlUrl(mysqlUrl);
    throw mysqlFailure(err, { host, port, user, database });
  }
}

function mysqlFailure(err: unknown, t: MysqlTarget): StartupFailure {
  const at = `${t.host}:${t.port}`;
  const code = codeIn(err) ?? 'no code';
  if (UNREACHABLE.has(code)) {
    return new StartupFailure(
      `cannot reach MySQL at ${at} (${code}); start it, or fix MYSQL_URL`,
      EX_UNAVAILABLE,
      err,
    );
  }
  if (code === 'ENOTFOUND') {
    return new StartupFailure(
      `the MySQL host "${t.host}" does not resolve (ENOTFOUND); fix MYSQL_URL`,
      EX_CONFIG,
      err,
    );
  }
  if (DENIED.has(code)) {
    return new StartupFailure(
      `MySQL at ${at} refused user "${t.user}" on database "${t.database}" (${code}); fix the credentials in MYSQL_URL`,
      EX_CONFIG,
      err,
    );
  }
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return new StartupFailure(
      `MySQL at ${at} does not offer TLS, which MYSQL_URL's ssl-mode requires; enable TLS on the server or change ssl-mode`,
      EX_CONFIG,
      err,
    );
  }
  if (TLS_REFUSED.has(code)) {
    return new StartupFailure(
      `the TLS certificate of MySQL at ${at} was refused (${code}); set ssl-ca (or another ssl-mode) in MYSQL_URL`,
      EX_CONFIG,
      err,
    );
  }
  return new StartupFailure(`MySQL at ${at} (MYSQL_URL): ${errorSummary(err)}`, 1, err);
}

/** Runs `app.listen`: a port in use, a privileged port or a foreign address name PORT or HOST. */
export async function listening<T>(host: string, port: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const code = codeIn(err) ?? 'no code';
    if (code === 'EADDRINUSE') {
      throw new StartupFailure(
        `port ${port} on ${host} is already in use (EADDRINUSE); stop the other process, or set PORT`,
        EX_UNAVAILABLE,
        err,
      );
    }
    if (code === 'EACCES') {
      throw new StartupFailure(
        `not allowed to listen on port ${port} (EACCES); set PORT to 1024 or above`,
        EX_CONFIG,
        err,
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new StartupFailure(
        `cannot listen on HOST "${host}" (${code}): not an address of this machine; fix HOST`,
        EX_CONFIG,
        err,
      );
    }
    throw err;
  }
}
