import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { IdempotencyStore } from '@surge/redis-kit';
import { AUTHENTICATED, DEPENDENCY_DOWN, PATH_PARAMS, VALIDATED_BODY, problems } from '../../http/openapi.ts';
import { idempotencyHooks } from '../../http/idempotency-hooks.ts';
import { UUID } from '../../http/pagination.ts';
import { traceHeaders } from '../../http/trace.ts';
import { claimsOf } from '../sessions/auth-plugin.ts';
import { tookNothing, type Place } from './place-order.ts';

const Accepted = Type.Object({
  orderId: Type.String({ format: 'uuid' }),
  status: Type.Literal('pending'),
  saleId: Type.String({ format: 'uuid' }),
  quantity: Type.Integer(),
});

/** `POST /v1/flash-sales/{id}/orders` (docs/api.md, "Buy"). */
export const placementRoutes: FastifyPluginAsyncTypebox<{
  place: Place;
  idempotency: IdempotencyStore;
  /** preValidation: per buyer, client IP and sale (429 RATE_LIMITED). */
  limitPlacement: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}> = async (app, { place, idempotency, limitPlacement }) => {
  app.decorateRequest('idempotency', null);
  const keys = idempotencyHooks(idempotency);

  app.post(
    '/v1/flash-sales/:id/orders',
    {
      onRequest: app.authenticate,
      preValidation: limitPlacement,
      preHandler: keys.preHandler,
      onSend: keys.onSend,
      schema: {
        operationId: 'placeOrder',
        tags: ['flash-sales'],
        summary: 'Buy units of a flash sale (accepted = 202; the order is then written asynchronously)',
        description:
          'Requires an `Idempotency-Key` header (a structured-field string, `"…"`, or a bare key; ' +
          '1..255 characters). A retry with the same key and body gets the first answer again; ' +
          'the same key with another body is 422. Answers are kept 24 h; a 503 is not kept.',
        security: [{ bearer: [] }],
        params: Type.Object({ id: Type.String({ pattern: UUID.source }) }),
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: Type.Object(
          { quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }) },
          { additionalProperties: false },
        ),
        response: {
          202: Accepted,
          ...problems(
            PATH_PARAMS,
            VALIDATED_BODY,
            { 400: ['IDEMPOTENCY_KEY_MISSING', 'IDEMPOTENCY_KEY_INVALID'] },
            AUTHENTICATED,
            { 404: ['NOT_FOUND'] },
            { 409: ['SOLD_OUT', 'LIMIT_EXCEEDED', 'SALE_NOT_ACTIVE', 'IDEMPOTENCY_KEY_IN_USE'] },
            { 422: ['IDEMPOTENCY_KEY_REUSED'] },
            DEPENDENCY_DOWN,
          ),
        },
      },
    },
    async (request, reply) => {
      const key = request.idempotency;
      if (!key) throw new Error('placement runs behind the idempotency hooks');
      try {
        const accepted = await place({
          saleId: request.params.id,
          userId: claimsOf(request).sub,
          quantity: request.body.quantity,
          orderId: key.firstAttempt,
          attempt: key.attempt,
          headers: traceHeaders(request),
        });
        return await reply.code(202).header('location', `/v1/orders/${accepted.orderId}`).send(accepted);
      } catch (err) {
        // A 503 that took nothing frees the key's orderId: the retry starts afresh.
        if (tookNothing(err)) key.forget = true;
        throw err;
      }
    },
  );
  return Promise.resolve();
};
