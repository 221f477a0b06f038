import { Socket } from 'node:net';
import { createLink, type LinkPolicy } from './fault-link.ts';
import { resetSocket } from './reset-socket.ts';

/** Where a fault proxy forwards connections. */
export interface FaultTarget {
  host: string;
  port: number;
}

/** One accepted client and its connection to the target. */
export interface FaultConnection {
  /** Re-reads the policy after a mode change: thaws, opens the upstream connection if due. */
  kick(): void;
  /** Closes both sides: `destroy` sends FIN, `reset` sends RST. */
  close(how: 'destroy' | 'reset'): void;
}

/**
 * Proxies `client` to `target` through two links (see fault-link.ts). While the policy is frozen
 * the target is not even connected to — as behind a partition, the server sees nothing — and the
 * connection is made once it thaws, unless the client gave up meanwhile. A target that refuses
 * resets the client. `onClosed` runs once both sockets have closed.
 */
export function proxyConnection(
  client: Socket,
  target: FaultTarget,
  policy: LinkPolicy,
  onClosed: () => void,
): FaultConnection {
  const upstream = new Socket();
  let connecting = false;
  let open = 2;
  const closed = () => {
    if (--open === 0) onClosed();
  };
  client.once('close', closed);
  upstream.once('close', closed);
  // Gone before the target was even connected to: the target never hears of it.
  client.once('close', () => {
    if (connecting) return;
    connecting = true;
    upstream.destroy();
  });
  client.setNoDelay(true);

  const links = [createLink(client, upstream, policy), createLink(upstream, client, policy)];
  const connectWhenThawed = () => {
    if (connecting || policy.frozen()) return;
    connecting = true;
    upstream.setNoDelay(true);
    upstream.connect({ host: target.host, port: target.port });
  };
  connectWhenThawed();

  return {
    kick() {
      connectWhenThawed();
      for (const link of links) link.kick();
    },
    close(how) {
      for (const socket of [client, upstream]) {
        if (how === 'reset') resetSocket(socket);
        else socket.destroy();
      }
    },
  };
}
