import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { sql } from 'kysely';
import { freePort, eventually } from '@surge/test-support';
import { createDatabase } from './db/database.ts';
import { spawnService, type ServiceProcess } from './testing/spawn-service.ts';
import { TEST_MYSQL_URL } from './testing/test-app.ts';

/** A stack frame, as `err.stack` prints one. */
const STACK_FRAME = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

const running: ServiceProcess[] = [];

/** Runs the service with `env` until it exits by itself (90 s is a hang detector, not a budget). */
async function exitOf(
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<{ code: number | null; output: string }> {
  const svc = await spawnService(env, { args });
  running.push(svc);
  const hang = setTimeout(() => svc.child.kill('SIGKILL'), 90_000);
  const code = await svc.exited;
  clearTimeout(hang);
  return { code, output: svc.output() };
}

/** The lines the service wrote, without blank ones. */
const linesOf = (output: string) => output.split('\n').filter((l) => l.trim() !== '');

/**
 * Issue 8, finding 13: start-up errors that did not help — TypeBox paths repeated per union
 * branch, one variable named of two, a bad key ending in a stack trace, and MySQL or the port
 * failing with a stack trace that names no variable. Each case runs main.ts as a process.
 */
describe('start-up failures name the variable to fix, once, without a stack trace', () => {
  after(async () => {
    for (const svc of running) if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
    await Promise.all(running.map((s) => s.exited));
  });

  it('LOG_LEVEL=loud: one line naming LOG_LEVEL and its levels; exit 78', async () => {
    const { code, output } = await exitOf({ LOG_LEVEL: 'loud' });
    assert.equal(code, 78, output);
    assert.deepEqual(linesOf(output).slice(1), [
      '  LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
    assert.doesNotMatch(output, /constant|\/logLevel/);
  });

  it('PORT=abc LOG_LEVEL=loud: both named', async () => {
    const { code, output } = await exitOf({ PORT: 'abc', LOG_LEVEL: 'loud' });
    assert.equal(code, 78, output);
    assert.match(output, /^ {2}PORT must be an integer from 0 to 65535 \(got "abc"\)$/m);
    assert.match(output, /^ {2}LOG_LEVEL must be one of/m);
  });

  it('a garbage JWT_PRIVATE_KEY: named, its value not shown, no stack; exit 78', async () => {
    const { code, output } = await exitOf({ JWT_PRIVATE_KEY: 'garbage-key-material' });
    assert.equal(code, 78, output);
    assert.match(output, /JWT_PRIVATE_KEY must be the PKCS#8 PEM/);
    assert.doesNotMatch(output, /garbage-key-material/);
    assert.doesNotMatch(output, STACK_FRAME);
  });

  it('MySQL not listening: one line naming MYSQL_URL and where it looked; exit 69', async () => {
    const port = await freePort();
    const { code, output } = await exitOf({ MYSQL_URL: `mysql://root:pw@127.0.0.1:${port}/surge_test` });
    assert.equal(code, 69, output);
    assert.deepEqual(linesOf(output), [
      `surge: start-up failed: cannot reach MySQL at 127.0.0.1:${port} (ECONNREFUSED); start it, or fix MYSQL_URL`,
    ]);
  });

  it('MySQL refusing the credentials: names the user and MYSQL_URL, never the password; exit 78', async () => {
    const { code, output } = await exitOf({
      MYSQL_URL: 'mysql://surge_no_such_user:not-the-password@127.0.0.1:3306/surge_test',
    });
    assert.equal(code, 78, output);
    assert.match(
      output,
      /MySQL at 127\.0\.0\.1:3306 refused user "surge_no_such_user" .*fix the credentials in MYSQL_URL/,
    );
    assert.doesNotMatch(output, /not-the-password/);
    assert.doesNotMatch(output, STACK_FRAME);
  });

  it('MYSQL_URL asking for TLS from a server without it: says so; exit 78', async (t) => {
    const base = (process.env.MYSQL_URL ?? TEST_MYSQL_URL).replace(/\?.*$/, '');
    // The shared test server has no TLS on these machines (db/mysql-tls.int.test.ts covers a server with it).
    const { db } = createDatabase({ url: base, timeoutMs: 5000, connectionLimit: 1 });
    const { rows } = await sql<{ Value: string }>`SHOW VARIABLES LIKE 'have_ssl'`
      .execute(db)
      .finally(() => db.destroy());
    if (rows[0]?.Value === 'YES') return t.skip('the shared MySQL offers TLS');
    const { code, output } = await exitOf({ MYSQL_URL: `${base}?ssl-mode=REQUIRED` });
    assert.equal(code, 78, output);
    assert.match(output, /does not offer TLS, which MYSQL_URL's ssl-mode requires/);
  });

  it('PORT in use: names PORT; exit 69', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as { port: number };
    try {
      const { code, output } = await exitOf({ PORT: String(port) });
      assert.equal(code, 69, output);
      assert.match(
        output,
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use \\(EADDRINUSE\\); .*set PORT`),
      );
      assert.doesNotMatch(output, STACK_FRAME);
    } finally {
      taken.close();
    }
  });

  it('HOST that is not an address of this machine: names HOST; exit 78', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a host.
    const { code, output } = await exitOf({ HOST: '192.0.2.1' });
    assert.equal(code, 78, output);
    assert.match(output, /cannot listen on HOST "192\.0\.2\.1" \(EADDRNOTAVAIL\)/);
  });

  it('--help prints the usage and exits 0; an unknown argument exits 2', async () => {
    const help = await exitOf({}, ['--help']);
    assert.equal(help.code, 0, help.output);
    assert.match(help.output, /^usage: /);
    const unknown = await exitOf({}, ['--port', '80']);
    assert.equal(unknown.code, 2, unknown.output);
    assert.match(unknown.output, /unexpected arguments/);
  });

  it(
    'Kafka down at start: the service stays up and warns in one short, throttled line naming KAFKA_BROKERS',
    { timeout: 120_000 },
    async () => {
      const port = await freePort();
      const svc = await spawnService({ KAFKA_BROKERS: `127.0.0.1:${port}` });
      running.push(svc);
      const warnings = () => linesOf(svc.output()).filter((l) => l.includes('cannot start the consumers'));
      // The second line comes after the throttle's interval and counts the attempts held back.
      await eventually(
        'a second warning, counting the suppressed ones',
        () => Promise.resolve(warnings().find((l) => /"suppressed":[1-9]/.test(l))),
        { timeoutMs: 90_000, progress: () => svc.output().slice(-1000) },
      );
      assert.equal(svc.child.exitCode, null, 'the service exited');
      for (const line of warnings()) {
        assert.ok(line.length < 1000, `a ${line.length}-character warning: ${line.slice(0, 300)}`);
        assert.match(line, new RegExp(`"kafkaBrokers":"127\\.0\\.0\\.1:${port}"`));
        // The root cause, on one line: refused — or, when another test's server took the free
        // port meanwhile (a CI run saw it), the connection that server closed on the client.
        assert.match(line, /"error":"[^"]*(ECONNREFUSED|Connection closed)/);
        assert.doesNotMatch(line, /"stack"/);
      }
    },
  );
});
