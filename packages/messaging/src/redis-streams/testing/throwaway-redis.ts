import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** True when the server at `port` answers PING with PONG (not LOADING) within `ms`. */
function pong(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(ms, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/**
 * A redis-server of the test's own on a free port, never the shared one on 6379. Every write is
 * fsynced before it is acknowledged (`appendonly yes`, `appendfsync always`), so killing it with
 * SIGKILL loses nothing it acknowledged — what a broker restart test needs.
 */
export async function throwawayRedis() {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'surge-streams-redis-'));
  let child: ChildProcess | undefined;

  async function start() {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
    args.push('--appendonly', 'yes', '--appendfsync', 'always', '--loglevel', 'warning');
    child = spawn('redis-server', args, { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) break;
      if (await pong(port, 500)) return;
      await delay(25);
    }
    throw new Error(`throwaway redis-server on ${port} did not start`);
  }

  async function kill() {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    /** SIGKILL, then start again on the same port and data directory. */
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
