import { once } from 'node:events';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { behaviourSchema, NORMAL, type Behaviour } from './behaviour.ts';
import { buildGatewayApi, type ApiStats } from './gateway-api.ts';
import { createIdempotencyKeys } from './idempotency-keys.ts';
import { createLedger } from './ledger.ts';

export interface GatewayOptions {
  host?: string;
  /** The API's port; 0 picks a free one. */
  port?: number;
  /** The admin API's port (knobs, stats, reset); 0 picks a free one. */
  adminPort?: number;
  apiKey: string;
  logLevel?: string;
  random?: () => number;
  maxRecords?: number;
}

export interface RunningGateway {
  /** e.g. `http://127.0.0.1:4100` */
  url: string;
  adminUrl: string;
  behaviour(): Behaviour;
  /** Merges `change` into the behaviour; `refuse` closes the API port, leaving it reopens it. */
  setBehaviour(change: Partial<Behaviour>): Promise<Behaviour>;
  close(): Promise<void>;
}

/**
 * The simulator as two listeners: the processor's API (which an outage closes or freezes) and
 * an admin API that always answers — `GET|PUT /behaviour`, `GET /stats`, `POST /reset`,
 * `GET /health`. Both bind to `host` (127.0.0.1 by default): the admin API has no auth.
 */
export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const host = opts.host ?? '127.0.0.1';
  const ledger = createLedger({ maxRecords: opts.maxRecords });
  const keys = createIdempotencyKeys({ max: opts.maxRecords });
  const stats: ApiStats = { injectedErrors: 0, lostResponses: 0, hungRequests: 0, replays: 0 };
  const held = new Set<Socket>();
  let behaviour: Behaviour = { ...NORMAL };
  const api = buildGatewayApi({
    apiKey: opts.apiKey,
    ledger,
    keys,
    behaviour: () => behaviour,
    stats,
    held,
    ...(opts.random ? { random: opts.random } : {}),
    ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
  });
  await api.listen({ host, port: opts.port ?? 4100 });
  const address = api.server.address();
  if (!address || typeof address === 'string') throw new Error('the gateway API has no TCP address');
  const port = address.port;
  let refusing = false;

  const release = () => {
    for (const s of held) s.destroy();
    held.clear();
  };
  async function stopListening() {
    if (refusing) return;
    refusing = true;
    const closed = once(api.server, 'close');
    api.server.close();
    api.server.closeAllConnections();
    release();
    await closed;
  }
  async function listenAgain() {
    if (!refusing) return;
    api.server.listen(port, host);
    await once(api.server, 'listening');
    refusing = false;
  }

  const gateway: RunningGateway = {
    url: `http://${host}:${port}`,
    adminUrl: '',
    behaviour: () => ({ ...behaviour }),
    async setBehaviour(change) {
      const next = { ...behaviour, ...change };
      if (behaviour.outage === 'hang' && next.outage !== 'hang') release();
      behaviour = next;
      if (next.outage === 'refuse') await stopListening();
      else await listenAgain();
      api.log.warn({ behaviour: next }, 'gateway behaviour changed');
      return { ...behaviour };
    },
    async close() {
      await listenAgain();
      release();
      await Promise.all([api.close(), admin.close()]);
    },
  };

  const admin: FastifyInstance = Fastify({
    logger: false,
    bodyLimit: 4096,
    ajv: { customOptions: { removeAdditional: false } },
  });
  admin.get('/health', () => ({ status: 'pass', api: refusing ? 'refusing' : 'listening' }));
  admin.get('/behaviour', () => gateway.behaviour());
  admin.put('/behaviour', { schema: { body: behaviourSchema } }, (request) =>
    gateway.setBehaviour(request.body as Partial<Behaviour>),
  );
  admin.get('/stats', () => ({ ...ledger.stats(), ...stats, held: held.size }));
  admin.post('/reset', async () => {
    ledger.clear();
    keys.clear();
    Object.assign(stats, { injectedErrors: 0, lostResponses: 0, hungRequests: 0, replays: 0 });
    return gateway.setBehaviour({ ...NORMAL });
  });
  await admin.listen({ host, port: opts.adminPort ?? 4101 });
  const adminAddress = admin.server.address();
  if (!adminAddress || typeof adminAddress === 'string') throw new Error('the admin API has no TCP address');
  gateway.adminUrl = `http://${host}:${adminAddress.port}`;
  return gateway;
}
