import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './free-port.ts';

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

export interface ThrowawayRedis {
  url: string;
  port: number;
  /** Starts the server unless it runs (same port and data directory). */
  start(): Promise<void>;
  /** SIGKILL: an outage as clients see it. Data survives only with `appendOnly`. */
  kill(): Promise<void>;
  /** `kill`, then `start`. */
  restart(): Promise<void>;
  /**
   * SIGSTOP: the server freezes with its connections open, so clients' commands wait in the
   * sockets and time out (a hung server, not a dead one); `resume` runs them, in order.
   */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** Kills the server for good and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * A redis-server of the test's own on a free port — never the shared one on 6379 that other
 * tests and CI rely on. Started before it is returned.
 * @param opts.appendOnly fsync every write (`appendfsync always`) so a restart keeps the data. Default false.
 * @param opts.port a fixed port (below 32768, see throwaway-kafka.ts), for a test whose restart must
 *   find the port free again; default a free one. In use: 16391 (placement-redis-outage).
 */
export async function throwawayRedis(
  opts: { appendOnly?: boolean; port?: number } = {},
): Promise<ThrowawayRedis> {
  const port = opts.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'surge-redis-'));
  let child: ChildProcess | undefined;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const server: ThrowawayRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      if (running()) return;
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
      args.push('--loglevel', 'warning', '--appendonly', opts.appendOnly ? 'yes' : 'no');
      if (opts.appendOnly) args.push('--appendfsync', 'always');
      child = spawn('redis-server', args, { stdio: 'ignore' });
      for (let i = 0; i < 200; i++) {
        if (child.exitCode !== null) break;
        if (await pong(port, 500)) return;
        await delay(25);
      }
      throw new Error(`throwaway redis-server on ${port} did not start`);
    },
    async kill() {
      if (!child || !running()) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      await server.kill();
      await server.start();
    },
    pause() {
      if (running()) child?.kill('SIGSTOP');
    },
    resume() {
      if (running()) child?.kill('SIGCONT');
    },
    async stop() {
      await server.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
