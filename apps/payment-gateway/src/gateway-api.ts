import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { processingMs, type Behaviour } from './behaviour.ts';
import { GatewayError } from './gateway-errors.ts';
import { requestFingerprint, type IdempotencyKeys } from './idempotency-keys.ts';
import type { Ledger } from './ledger.ts';

/** What the API counts besides the ledger (the admin API's `/stats`). */
export interface ApiStats {
  injectedErrors: number;
  lostResponses: number;
  hungRequests: number;
  replays: number;
}

export interface GatewayApiDeps {
  apiKey: string;
  ledger: Ledger;
  keys: IdempotencyKeys;
  behaviour: () => Behaviour;
  stats: ApiStats;
  /** Requests held open by the `hang` outage; the server releases them when it ends. */
  held: Set<Socket>;
  random?: () => number;
  logLevel?: string;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

const chargeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['amount', 'currency', 'token', 'orderId'],
  properties: {
    amount: { type: 'integer', minimum: 1, maximum: 99_999_999 },
    currency: { type: 'string', pattern: '^[a-z]{3}$' },
    token: { type: 'string', minLength: 1, maxLength: 255 },
    orderId: { type: 'string', minLength: 1, maxLength: 255 },
  },
} as const;

const refundBody = {
  type: 'object',
  additionalProperties: false,
  required: ['charge'],
  properties: {
    charge: { type: 'string', minLength: 1, maxLength: 255 },
    amount: { type: 'integer', minimum: 1, maximum: 99_999_999 },
  },
} as const;

/**
 * The processor's API: `POST /charges`, `POST /refunds` (both need an `Idempotency-Key`),
 * `GET /charges/:id`, `GET /charges?orderId=`. Bearer API key on every call. Errors are
 * `{ error: { type, code, message } }` with the processor's statuses: 400 invalid request,
 * 401 bad key, 402 card declined, 404 unknown object, 409 key in use, 422 key reused with other
 * parameters, 503 injected error.
 */
export function buildGatewayApi(deps: GatewayApiDeps): FastifyInstance {
  const random = deps.random ?? Math.random;
  const expectedKey = Buffer.from(deps.apiKey);
  const app = Fastify({
    logger: { level: deps.logLevel ?? 'info' },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024,
    requestTimeout: 30_000,
    // Unknown parameters are refused, as a processor does, not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  });

  app.setErrorHandler((err: unknown, _request, reply) => {
    if (err instanceof GatewayError) return reply.code(err.status).send(err.body());
    const e = err as { statusCode?: number; validation?: unknown; message?: string; code?: string };
    if (e.validation || (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500)) {
      return reply.code(e.statusCode ?? 400).send({
        error: {
          type: 'invalid_request_error',
          code: 'parameter_invalid',
          message: e.message ?? 'invalid request',
        },
      });
    }
    app.log.error({ err }, 'gateway error');
    return reply
      .code(500)
      .send({ error: { type: 'api_error', code: 'internal', message: 'internal error' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `Unrecognized request URL (${request.method}: ${request.url})`,
      },
    }),
  );

  app.addHook('onRequest', async (request, reply) => {
    if (deps.behaviour().outage === 'hang') {
      // Accepted, never answered: the client's own timeout is the only way out.
      deps.stats.hungRequests++;
      reply.hijack();
      deps.held.add(request.raw.socket);
      request.raw.socket.once('close', () => deps.held.delete(request.raw.socket));
      return;
    }
    const auth = request.headers.authorization ?? '';
    const given = Buffer.from(auth.startsWith('Bearer ') ? auth.slice(7) : '');
    if (given.length !== expectedKey.length || !timingSafeEqual(given, expectedKey)) {
      throw new GatewayError(401, 'authentication_error', 'invalid_api_key', 'Invalid API key provided.');
    }
  });

  /** Processing time, then the injected error if this call draws one. */
  async function work() {
    const b = deps.behaviour();
    const ms = processingMs(b, random);
    if (ms > 0) await sleep(ms);
    if (b.errorRate > 0 && random() < b.errorRate) {
      deps.stats.injectedErrors++;
      throw new GatewayError(
        503,
        'api_error',
        'processor_unavailable',
        'The processor is temporarily unavailable; retry.',
      );
    }
  }

  /** Runs `act` once per idempotency key; replays its stored answer; drops the answer when told to. */
  async function idempotent(
    request: FastifyRequest,
    reply: FastifyReply,
    act: () => { status: number; body: unknown },
  ) {
    const raw = request.headers['idempotency-key'];
    const key = typeof raw === 'string' ? raw.replace(/^"(.*)"$/, '$1') : undefined;
    if (key === undefined || !KEY_PATTERN.test(key)) {
      throw new GatewayError(
        400,
        'idempotency_error',
        key === undefined ? 'idempotency_key_missing' : 'idempotency_key_invalid',
        'An Idempotency-Key header of 1–255 visible ASCII characters is required.',
      );
    }
    const use = deps.keys.use(
      deps.apiKey,
      key,
      requestFingerprint(request.method, request.routeOptions.url ?? request.url, request.body),
    );
    switch (use.kind) {
      case 'in-use':
        throw new GatewayError(
          409,
          'idempotency_error',
          'idempotency_key_in_use',
          'A request with this Idempotency-Key is still being processed.',
        );
      case 'reused':
        throw new GatewayError(
          422,
          'idempotency_error',
          'idempotency_key_reused',
          'This Idempotency-Key was used with other parameters.',
        );
      case 'replay':
        deps.stats.replays++;
        return reply.code(use.status).header('idempotent-replayed', 'true').send(use.body);
    }
    let answer: { status: number; body: unknown };
    try {
      await work();
    } catch (err) {
      use.abandon();
      throw err;
    }
    try {
      answer = act();
    } catch (err) {
      if (!(err instanceof GatewayError)) {
        use.abandon();
        throw err;
      }
      answer = { status: err.status, body: err.body() };
    }
    use.finish(answer.status, answer.body);
    const b = deps.behaviour();
    if (b.loseResponseRate > 0 && random() < b.loseResponseRate) {
      // Done and recorded; the client never hears of it.
      deps.stats.lostResponses++;
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    return reply.code(answer.status).send(answer.body);
  }

  app.post('/charges', { schema: { body: chargeBody } }, (request, reply) =>
    idempotent(request, reply, () => ({
      status: 201,
      body: deps.ledger.charge(
        request.body as { amount: number; currency: string; token: string; orderId: string },
      ),
    })),
  );

  app.post('/refunds', { schema: { body: refundBody } }, (request, reply) =>
    idempotent(request, reply, () => ({
      status: 201,
      body: deps.ledger.refund(request.body as { charge: string; amount?: number }),
    })),
  );

  app.get('/charges/:id', async (request) => {
    await work();
    const { id } = request.params as { id: string };
    const c = deps.ledger.getCharge(id);
    if (!c)
      throw new GatewayError(404, 'invalid_request_error', 'resource_missing', `No such charge: '${id}'`);
    return c;
  });

  app.get(
    '/charges',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['orderId'],
          properties: { orderId: { type: 'string', minLength: 1, maxLength: 255 } },
        },
      },
    },
    async (request) => {
      await work();
      const { orderId } = request.query as { orderId: string };
      return { object: 'list', data: deps.ledger.chargesOfOrder(orderId) };
    },
  );

  return app;
}
