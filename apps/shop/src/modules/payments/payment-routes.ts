import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { IdempotencyStore } from '@surge/redis-kit';
import type { Breaker } from '@surge/resilience';
import {
  ADMIN_ONLY,
  AUTHENTICATED,
  DEPENDENCY_DOWN,
  PATH_PARAMS,
  VALIDATED_BODY,
  problems,
} from '../../http/openapi.ts';
import { idempotencyHooks } from '../../http/idempotency-hooks.ts';
import { UUID } from '../../http/pagination.ts';
import { traceHeaders } from '../../http/trace.ts';
import { claimsOf } from '../sessions/auth-plugin.ts';
import type { PayOrder } from './pay-order.ts';

const Paid = Type.Object({
  orderId: Type.String({ format: 'uuid' }),
  status: Type.Literal('paid'),
  chargeId: Type.String(),
  amountCents: Type.Integer(),
  currency: Type.String(),
  paidAt: Type.String({ format: 'date-time' }),
});

const BreakerView = Type.Object({
  name: Type.String(),
  state: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open')]),
  openedAt: Type.Optional(Type.String({ format: 'date-time' })),
  retryAt: Type.Optional(Type.String({ format: 'date-time' })),
  consecutiveFailures: Type.Integer({ description: 'Consecutive failures that open it' }),
  halfOpenAfterMs: Type.Integer({ description: 'How long it stays open before a trial call' }),
});

/** `POST /v1/orders/{id}/payment` (docs/api.md, "Pay") and `GET /v1/admin/breakers`. */
export const paymentRoutes: FastifyPluginAsyncTypebox<{
  pay: PayOrder;
  idempotency: IdempotencyStore;
  breakers: readonly Breaker[];
}> = async (app, { pay, idempotency, breakers }) => {
  app.decorateRequest('idempotency', null);
  const keys = idempotencyHooks(idempotency);

  app.post(
    '/v1/orders/:id/payment',
    {
      onRequest: app.authenticate,
      preHandler: keys.preHandler,
      onSend: keys.onSend,
      schema: {
        operationId: 'payOrder',
        tags: ['orders'],
        summary: 'Pay one of my confirmed orders',
        description:
          'Requires an `Idempotency-Key` header (as for placement). The gateway is called with a ' +
          'key derived from the order and the token, so no retry — ours or yours — charges twice. ' +
          '`pending` orders answer 409 with `Retry-After`; a declined card 402 with `reason`.',
        security: [{ bearer: [] }],
        params: Type.Object({ id: Type.String({ pattern: UUID.source }) }),
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: Type.Object(
          { paymentToken: Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' }) },
          { additionalProperties: false },
        ),
        response: {
          200: Paid,
          ...problems(
            PATH_PARAMS,
            VALIDATED_BODY,
            { 400: ['IDEMPOTENCY_KEY_MISSING', 'IDEMPOTENCY_KEY_INVALID', 'PAYMENT_TOKEN_INVALID'] },
            AUTHENTICATED,
            { 402: ['PAYMENT_DECLINED'] },
            { 404: ['NOT_FOUND'] },
            { 409: ['ORDER_NOT_PAYABLE', 'IDEMPOTENCY_KEY_IN_USE'] },
            { 422: ['IDEMPOTENCY_KEY_REUSED'] },
            DEPENDENCY_DOWN,
          ),
        },
      },
    },
    // Not cut short when the client goes away: a charge once sent is recorded (or refunded).
    async (request) =>
      pay({
        orderId: request.params.id,
        userId: claimsOf(request).sub,
        paymentToken: request.body.paymentToken,
        headers: traceHeaders(request),
      }),
  );

  app.get(
    '/v1/admin/breakers',
    {
      onRequest: [app.authenticate, app.requireRole('admin')],
      schema: {
        operationId: 'listBreakers',
        tags: ['admin'],
        summary: 'Circuit breakers of this instance and their state',
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ items: Type.Array(BreakerView) }), ...problems(ADMIN_ONLY) },
      },
    },
    () => ({ items: breakers.map((b) => b.snapshot()) }),
  );
  return Promise.resolve();
};
