import type { Socket } from 'node:net';

/**
 * Closes `socket` with a TCP RST (the peer sees `ECONNRESET`), or plainly when it has no TCP
 * handle yet (never connected). Never throws.
 */
export function resetSocket(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
