import type { FastifyReply, FastifyRequest } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import {
  isIdempotencyKeyError,
  parseIdempotencyKey,
  requestFingerprint,
  type IdempotencyHold,
  type IdempotencyStore,
} from '@surge/redis-kit';
import { DomainError, dependencyUnavailable } from '../errors.ts';

/** What a route behind the idempotency hooks knows about its key (`request.idempotency`). */
export interface IdempotencyContext {
  /**
   * A UUIDv7 the first attempt with this key chose; every retry of the key gets the same one
   * (placement uses it as the orderId, so a retry after a crash reserves idempotently).
   */
  readonly firstAttempt: string;
  /** 1 for the first request with the key; more after earlier holders crashed or answered 5xx. */
  readonly attempt: number;
  /**
   * Set before answering 5xx when the attempt had no effect (its reservation was released): the
   * next request with the key starts afresh with a new `firstAttempt`. Default false: the effect
   * is unknown and a retry must reuse the value.
   */
  forget: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: IdempotencyContext | null;
  }
}

const holds = new WeakMap<FastifyRequest, IdempotencyHold>();

/** Headers of a response worth replaying; the rest belongs to one exchange. */
const REPLAYED_HEADERS = ['content-type', 'location'] as const;

/**
 * `Idempotency-Key` for a route (docs/api.md; the store is `@surge/redis-kit`, ADR 0017), as two
 * route hooks: `preHandler` (after authentication and validation) takes the key for the caller —
 * or answers 409 `IDEMPOTENCY_KEY_IN_USE` / 422 `IDEMPOTENCY_KEY_REUSED` / the stored response —
 * and `onSend` stores what the route answered when its status is below 500, byte for byte, or
 * frees the key for a 5xx so the client may retry. Redis unreachable → 503 before anything runs.
 */
export function idempotencyHooks(store: IdempotencyStore) {
  return {
    preHandler: async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
      let key: string;
      try {
        key = parseIdempotencyKey(request.headers['idempotency-key']);
      } catch (err) {
        if (isIdempotencyKeyError(err)) throw new DomainError(err.code, err.message);
        throw err;
      }
      const scope = request.auth?.sub;
      if (scope === undefined) throw new Error('idempotency hooks need app.authenticate first');
      const path = request.url.split('?')[0] ?? request.url;
      const fingerprint = requestFingerprint({ method: request.method, path, body: request.body ?? null });
      let outcome;
      try {
        outcome = await store.acquire({ scope, key, fingerprint, firstAttempt: uuidv7() });
      } catch (err) {
        throw dependencyUnavailable('the idempotency store', err);
      }
      switch (outcome.kind) {
        case 'inProgress':
          throw new DomainError(
            'IDEMPOTENCY_KEY_IN_USE',
            'a request with this Idempotency-Key is still running',
            {
              retryAfterSec: Math.max(1, Math.ceil(outcome.retryAfterMs / 1000)),
            },
          );
        case 'mismatch':
          throw new DomainError(
            'IDEMPOTENCY_KEY_REUSED',
            'this Idempotency-Key was used with another request; use a new key for a new request',
          );
        case 'replay': {
          const { response } = outcome;
          return reply
            .code(response.status)
            .headers(response.headers)
            .header('idempotent-replayed', 'true')
            .send(Buffer.from(response.body));
        }
        case 'acquired':
          holds.set(request, outcome);
          if (outcome.firstAttempt === undefined)
            throw new Error('idempotency record without its first attempt');
          request.idempotency = {
            firstAttempt: outcome.firstAttempt,
            attempt: outcome.attempt,
            forget: false,
          };
          return undefined;
      }
    },

    onSend: async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
      const hold = holds.get(request);
      if (!hold) return payload;
      holds.delete(request);
      try {
        if (reply.statusCode >= 500) {
          await hold.abandon({ forget: request.idempotency?.forget === true });
        } else {
          const headers: Record<string, string> = {};
          for (const name of REPLAYED_HEADERS) {
            const value = reply.getHeader(name);
            if (value !== undefined) headers[name] = String(value);
          }
          const body = typeof payload === 'string' || payload instanceof Uint8Array ? payload : '';
          await hold.complete({ status: reply.statusCode, headers, body });
        }
      } catch (err) {
        // The answer stands; the key stays held until its lease runs out, then a retry re-runs
        // the request with the same first-attempt value (idempotent by design).
        request.log.warn({ err }, 'idempotency record not updated; the key frees itself after its lease');
      }
      return payload;
    },
  };
}
