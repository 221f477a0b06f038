import type { AddressInfo, Server, Socket } from 'node:net';
import { proxyConnection, type FaultConnection, type FaultTarget } from './fault-connection.ts';
import type { LinkPolicy } from './fault-link.ts';
import { acceptsConnections, checkFaultMode, chunkDelayMs, type FaultMode } from './fault-mode.ts';
import { listenOn } from './listen-on.ts';
import { resetSocket } from './reset-socket.ts';

export interface FaultProxyOptions {
  /** Where connections go, e.g. `{ host: '127.0.0.1', port: 3306 }`. */
  target: FaultTarget;
  /** Port to listen on, on 127.0.0.1. Default 0: an ephemeral port, kept for the proxy's life. */
  port?: number;
  /** The mode to start in. Default `{ kind: 'pass' }`. */
  mode?: FaultMode;
  /** Draws latency jitter, a number in [0, 1). Default `Math.random`. */
  random?: () => number;
}

export interface FaultProxy {
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** The port the code under test connects to instead of the target's. */
  readonly port: number;
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** The current mode. */
  readonly mode: FaultMode;
  /** Connections open through the proxy right now. */
  readonly connections: number;
  /**
   * Switches mode; resolves once it applies to open and new connections (for `cut` and `refuse`
   * the listener is closed; leaving them reopens it on the same port). Calls apply in order.
   * @throws RangeError for an invalid mode; rejects if the port cannot be reopened within ~5 s
   */
  set(mode: FaultMode): Promise<void>;
  /** `set({ kind: 'pass' })`: everything flows again, held data included. */
  heal(): Promise<void>;
  /** Closes every connection (FIN) and the listener. Idempotent. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const PASS: FaultMode = Object.freeze({ kind: 'pass' });

/**
 * A TCP proxy for outage tests: put it between the code under test and a real Redis, MySQL or
 * Kafka, then `set` a fault — `cut`, `refuse`, `blackHole`, `latency`, `reset` (see
 * {@link FaultMode}) — and `heal`. A frozen network is not a stopped server: only a proxy shows
 * what the client does when packets stop without any error. Test-only: it buffers in memory
 * (≤ 1 MiB per direction per connection) and is not built for throughput.
 *
 * ```ts
 * const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: 3306 } });
 * // point MYSQL_URL at `mysql://root@${proxy.address}/db`, then:
 * await proxy.set({ kind: 'blackHole' });
 * await proxy.heal();
 * ```
 */
export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const random = opts.random ?? Math.random;
  let mode = checkFaultMode(opts.mode ?? PASS);
  let port = opts.port ?? 0;
  let server: Server | undefined;
  let closed = false;
  let transitions: Promise<void> = Promise.resolve();
  const connections = new Set<FaultConnection>();
  const policy: LinkPolicy = {
    frozen: () => mode.kind === 'blackHole',
    delayMs: () => chunkDelayMs(mode, random),
  };

  const accept = (client: Socket) => {
    client.on('error', () => {});
    if (closed || !acceptsConnections(mode)) return void client.destroy();
    if (mode.kind === 'reset') return resetSocket(client);
    const connection = proxyConnection(client, opts.target, policy, () => connections.delete(connection));
    connections.add(connection);
  };
  const openListener = async () => {
    if (server || closed) return;
    server = await listenOn(HOST, port, accept);
    port = (server.address() as AddressInfo).port;
  };
  const closeListener = () => {
    server?.close();
    server = undefined;
  };

  async function apply(next: FaultMode) {
    mode = next;
    if (mode.kind === 'cut' || mode.kind === 'reset') {
      for (const c of connections) c.close(mode.kind === 'cut' ? 'destroy' : 'reset');
    }
    if (acceptsConnections(mode)) await openListener();
    else closeListener();
    for (const c of connections) c.kick();
  }

  // The port is taken even when starting closed, so that it is known and kept.
  await openListener();
  if (!acceptsConnections(mode)) closeListener();

  const proxy: FaultProxy = {
    host: HOST,
    get port() {
      return port;
    },
    get address() {
      return `${HOST}:${port}`;
    },
    get mode() {
      return mode;
    },
    get connections() {
      return connections.size;
    },
    set(next) {
      const checked = checkFaultMode(next);
      if (closed) return Promise.reject(new Error('fault proxy is closed'));
      const applied = transitions.then(() => apply(checked));
      transitions = applied.catch(() => {});
      return applied;
    },
    heal: () => proxy.set(PASS),
    async close() {
      if (closed) return;
      closed = true;
      await transitions;
      for (const c of connections) c.close('destroy');
      closeListener();
    },
  };
  return proxy;
}
