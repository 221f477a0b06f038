import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

/** The first of `names` on PATH. */
function which(...names: string[]): string {
  for (const name of names) if (spawnSync('sh', ['-c', `command -v ${name}`]).status === 0) return name;
  throw new Error(`throwaway MySQL needs one of ${names.join(', ')} (Debian package mariadb-server)`);
}

/** True when the server at `port` sends a protocol-10 handshake within `ms` (it accepts clients). */
function greets(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(ms, () => done(false));
    socket.once('error', () => done(false));
    // A packet: 3 bytes length, 1 byte sequence, then the protocol version (10).
    socket.once('data', (d: Buffer) => done(d.length > 4 && d[4] === 10));
  });
}

/** A CA and a server certificate for `localhost` (and no IP address), made with openssl. */
async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const at = (f: string) => join(dir, f);
  const openssl = (...args: string[]) => run(which('openssl'), args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=surge-test-ca',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
  );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server-key.pem',
    '-out',
    'server.csr',
  );
  await writeFile(at('ext.cnf'), 'subjectAltName=DNS:localhost\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
    '-out',
    'server.pem',
  );
  return { ca: at('ca.pem'), cert: at('server.pem'), key: at('server-key.pem') };
}

export interface ThrowawayMysql {
  port: number;
  /** `mysql://root@127.0.0.1:<port>/<database>` (root has no password). */
  url(database: string): string;
  /** With `tls`: the PEM file of the CA that signed the server's certificate (for `localhost`). */
  caPath?: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * A MariaDB (or MySQL) server of the test's own on a free port, in a fresh data directory —
 * never the shared one on 3306. Started before it is returned (the data directory takes some
 * seconds to initialise).
 * @param opts.tls serve TLS with a throwaway CA and a certificate for `localhost`. Default false.
 */
export async function throwawayMysql(opts: { tls?: boolean } = {}): Promise<ThrowawayMysql> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'surge-mysql-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  const certs = opts.tls ? await makeCertificates(dir) : undefined;
  await run(
    which('mariadb-install-db', 'mysql_install_db'),
    [
      '--no-defaults',
      `--datadir=${data}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...asRoot,
    ],
    { timeout: 120_000 },
  );
  const args = [
    '--no-defaults',
    `--datadir=${data}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${join(dir, 'mysqld.sock')}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    `--log-error=${join(dir, 'error.log')}`,
    '--skip-log-bin',
    '--innodb-buffer-pool-size=16M',
    ...asRoot,
    ...(certs ? [`--ssl-ca=${certs.ca}`, `--ssl-cert=${certs.cert}`, `--ssl-key=${certs.key}`] : []),
  ];
  const child: ChildProcess = spawn(which('mariadbd', 'mysqld'), args, { stdio: 'ignore' });
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  const stop = async () => {
    await kill();
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) break;
    if (await greets(port, 500)) {
      return {
        port,
        url: (database) => `mysql://root@127.0.0.1:${port}/${database}`,
        ...(certs ? { caPath: certs.ca } : {}),
        stop,
      };
    }
    await delay(100);
  }
  await kill();
  throw new Error(`throwaway MySQL on ${port} did not start (log: ${join(dir, 'error.log')})`);
}
