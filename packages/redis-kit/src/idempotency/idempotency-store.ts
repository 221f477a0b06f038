import { createHash, randomUUID } from 'node:crypto';
import type { RedisClient } from '../scripts/define-script.ts';
import { IdempotencyKeyError, IdempotencyRecordTooLargeError } from './idempotency-errors.ts';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency-key.ts';
import { idempotencyStoreOptions, type IdempotencyStoreOptions } from './idempotency-options.ts';
import { abandonScript, acquireScript, completeScript, type StoredResponse } from './idempotency-scripts.ts';

export type { StoredResponse };

/** What one request presents (ADR 0017). */
export interface IdempotencyRequest {
  /** Whose key it is: the authenticated user's id. Keys of two scopes never meet. */
  scope: string;
  /** The key, as {@link parseIdempotencyKey} read it: 1..255 characters. */
  key: string;
  /** The payload's identity, usually {@link requestFingerprint}: 1..128 characters. */
  fingerprint: string;
  /**
   * Caller data the first attempt decides and every later attempt with this key must reuse —
   * e.g. the order id it generated, so a retry after a crash does not create a second order.
   * Kept only if the record has none yet; `acquired.firstAttempt` is the one that counts.
   * Opaque to the store (JSON-encode a structure); at most `maxFirstAttemptBytes`.
   */
  firstAttempt?: string;
}

/** A response to store for replay; 5xx are never stored (`abandon` instead). */
export interface ResponseToStore {
  /** HTTP status, 100..499. */
  status: number;
  /**
   * The headers to replay, e.g. `content-type` and `location` — not the ones that belong to one
   * exchange (`date`, `x-request-id`, rate-limit headers). Names are stored in lower case.
   */
  headers?: Readonly<Record<string, string>>;
  /** The body bytes as sent; a string is stored as UTF-8. */
  body: Uint8Array | string;
}

/** The caller holds the key: it runs the request, then `complete`s or `abandon`s. */
export interface IdempotencyHold {
  readonly kind: 'acquired';
  /** 1 for the first request with the key; n after n − 1 holders crashed or abandoned it. */
  readonly attempt: number;
  /** The first-attempt value of the record (this request's own, or an earlier attempt's). */
  readonly firstAttempt: string | undefined;
  /**
   * Stores the response for `ttlMs`; later requests with the key and fingerprint get it as
   * `replay`. Resolves `not-held` (nothing stored) when this holder's lease ran out and another
   * request took the key over, or after `abandon`. Rejects with a RangeError for a status outside
   * 100..499, a TypeError for a header value that is not a string, with {@link IdempotencyRecordTooLargeError} over `maxResponseBytes` (both before
   * anything is sent), or with Redis' error (the outcome is then unknown; at worst the key stays
   * held until the lease runs out).
   */
  complete(response: ResponseToStore): Promise<'stored' | 'not-held'>;
  /**
   * Frees the key without storing anything, for a 5xx: the next request with it is `acquired` at
   * once. By default the record keeps its fingerprint and first-attempt value (the attempt's
   * effect is unknown: a retry must carry the same payload and reuses the value); with
   * `forget: true` (its effect was undone or never happened) the next request starts afresh.
   * Resolves `not-held` when the key was taken over or completed. Rejects with Redis' error; the
   * key is then free once the lease runs out.
   */
  abandon(opts?: { forget?: boolean }): Promise<'abandoned' | 'not-held'>;
}

/**
 * The outcome of {@link IdempotencyStore.acquire}:
 * - `acquired`: this request runs (no other request with the key runs at the same time);
 * - `inProgress`: another holder's lease runs for `retryAfterMs` more (HTTP: 409 `IDEMPOTENCY_KEY_IN_USE`);
 * - `mismatch`: the key was used with another fingerprint (HTTP: 422 `IDEMPOTENCY_KEY_REUSED`);
 * - `replay`: the stored response, to send back byte for byte.
 */
export type IdempotencyOutcome =
  | IdempotencyHold
  | { readonly kind: 'inProgress'; readonly retryAfterMs: number }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'replay'; readonly response: StoredResponse };

function checkRequest(req: IdempotencyRequest): void {
  if (req.key.length === 0 || req.key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new IdempotencyKeyError('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1..255 characters');
  }
  if (req.scope.length === 0) throw new TypeError('idempotency store: scope must not be empty');
  if (req.fingerprint.length === 0 || req.fingerprint.length > 128) {
    throw new TypeError('idempotency store: fingerprint must be 1..128 characters');
  }
}

/**
 * Idempotency keys on Redis, after the IETF Idempotency-Key draft (-07);
 * design and stored fields in ADR 0017. One hash per (scope, key) under
 * `keyPrefix + base64url(sha256([scope, key]))`, changed only by Lua scripts, each safe to run
 * twice (ioredis may resend one after a reconnect). The lease and record TTL run on Redis' clock
 * (`TIME`), one clock for every instance.
 *
 * Every call is one script round trip, bounded by the client's command timeout (use
 * `failFastRedisOptions`); a call rejects with Redis' error when Redis fails. A rejected
 * `acquire` has an unknown outcome: the key may be held by nobody who knows it, and is free again
 * after `leaseMs`.
 */
export function createIdempotencyStore(redis: RedisClient, options: IdempotencyStoreOptions = {}) {
  const opts = idempotencyStoreOptions(options);
  const recordKey = (scope: string, key: string) =>
    opts.keyPrefix +
    createHash('sha256')
      .update(JSON.stringify([scope, key]))
      .digest('base64url');

  function hold(
    record: string,
    token: string,
    attempt: number,
    firstAttempt: string | undefined,
  ): IdempotencyHold {
    return {
      kind: 'acquired',
      attempt,
      firstAttempt,
      async complete(response) {
        const { status } = response;
        if (!(Number.isInteger(status) && status >= 100 && status <= 499)) {
          throw new RangeError(`idempotency store: cannot store status ${status} (100..499; abandon a 5xx)`);
        }
        const kept = Object.entries(response.headers ?? {});
        // Checked here: a record whose headers could not be read back would fail every replay for ttlMs.
        if (kept.some(([, v]) => typeof v !== 'string')) {
          throw new TypeError('idempotency store: header values must be strings');
        }
        const headers = JSON.stringify(Object.fromEntries(kept.map(([n, v]) => [n.toLowerCase(), v])));
        const body =
          typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : Buffer.from(response.body);
        const bytes = body.length + Buffer.byteLength(headers);
        if (bytes > opts.maxResponseBytes) {
          throw new IdempotencyRecordTooLargeError('the response', bytes, opts.maxResponseBytes);
        }
        return completeScript.run(redis, [record], [token, status, headers, body, opts.ttlMs]);
      },
      abandon: ({ forget = false } = {}) => abandonScript.run(redis, [record], [token, forget ? '1' : '0']),
    };
  }

  return {
    /**
     * Takes the key for this request atomically, or answers why not ({@link IdempotencyOutcome}).
     * Throws {@link IdempotencyKeyError} (`IDEMPOTENCY_KEY_INVALID`) for a key outside 1..255
     * characters, a TypeError for an empty scope or fingerprint, and
     * {@link IdempotencyRecordTooLargeError} for a first-attempt value over its bound.
     */
    async acquire(req: IdempotencyRequest): Promise<IdempotencyOutcome> {
      checkRequest(req);
      const first = req.firstAttempt;
      if (first !== undefined && Buffer.byteLength(first) > opts.maxFirstAttemptBytes) {
        throw new IdempotencyRecordTooLargeError(
          'firstAttempt',
          Buffer.byteLength(first),
          opts.maxFirstAttemptBytes,
        );
      }
      const record = recordKey(req.scope, req.key);
      const token = randomUUID();
      const reply = await acquireScript.run(
        redis,
        [record],
        [req.fingerprint, token, opts.leaseMs, opts.ttlMs, first === undefined ? '0' : '1', first ?? ''],
      );
      return reply.kind === 'acquired' ? hold(record, token, reply.attempt, reply.firstAttempt) : reply;
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
