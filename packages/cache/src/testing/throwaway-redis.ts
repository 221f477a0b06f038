import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/**
 * A redis-server of the test's own on a free port (never the shared 6379), without persistence,
 * for outage tests: `kill()` is SIGKILL, `start()` brings it back on the same port, empty.
 */
export async function throwawayRedis() {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'surge-cache-redis-'));
  let child: ChildProcess | undefined;
  const server = {
    url: `redis://127.0.0.1:${port}`,
    /** Starts the server unless it is running. */
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
      child = spawn('redis-server', [...args, '--appendonly', 'no', '--loglevel', 'warning'], {
        stdio: 'ignore',
      });
      for (let i = 0; i < 200; i++) {
        if (child.exitCode !== null) break;
        if (await pong(port)) return;
        await sleep(25);
      }
      throw new Error(`throwaway redis-server on ${port} did not start`);
    },
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      await server.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
