import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** Attempts at re-listening on a port that another socket holds for a moment. */
const ATTEMPTS = 50;
const PAUSE_MS = 100;

/**
 * Listens on `host:port` (0: an ephemeral port) and hands every accepted socket to
 * `onConnection`. A port given explicitly is retried for ~5 s while it is in use (EADDRINUSE):
 * a fault proxy reopens the port it closed for `cut`, and the kernel may still hold it briefly.
 */
export async function listenOn(
  host: string,
  port: number,
  onConnection: (socket: Socket) => void,
): Promise<Server> {
  for (let attempt = 1; ; attempt++) {
    const server = createServer(onConnection);
    try {
      server.listen({ host, port, exclusive: true });
      await once(server, 'listening');
      // Errors after listening (rare: the handle failing) must not crash the test process.
      server.on('error', () => {});
      return server;
    } catch (err) {
      server.close();
      const inUse = (err as { code?: unknown }).code === 'EADDRINUSE';
      if (!inUse || port === 0 || attempt >= ATTEMPTS) throw err;
      await delay(PAUSE_MS);
    }
  }
}
