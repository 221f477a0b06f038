import { createHash } from 'node:crypto';
import { backoffMs, sleep, TransientError, type Breaker, type Log } from '@surge/resilience';

/** The gateway could not be reached, answered 5xx, or did not answer in time. Transient: retry. */
export class GatewayUnavailableError extends TransientError {
  override readonly name: string = 'GatewayUnavailableError';
}

/** The gateway refused our own request (bad API key, parameters it does not know): a bug or a misconfiguration. */
export class GatewayRejectedError extends Error {
  override readonly name: string = 'GatewayRejectedError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export type ChargeResult =
  | { kind: 'charged'; chargeId: string; amountCents: number }
  | { kind: 'declined'; declineCode: string; message: string }
  | { kind: 'invalid-token' };

export interface GatewayClient {
  /**
   * Charges once per `key`, however many attempts it takes: every retry (a timeout, a lost
   * response, a 5xx) sends the same gateway idempotency key, so the gateway charges at most once.
   * Rejects with GatewayUnavailableError (or BreakerOpenError) when no attempt got an answer.
   */
  charge(req: ChargeRequest, signal?: AbortSignal): Promise<ChargeResult>;
  /** Refunds the whole charge, once per charge (its key is derived from the charge id). */
  refund(chargeId: string, signal?: AbortSignal): Promise<{ refundId: string }>;
  /** Every charge the gateway holds for `orderId` (declines included), for refunds after a cancellation. */
  chargesOf(orderId: string, signal?: AbortSignal): Promise<GatewayCharge[]>;
}

export interface GatewayCharge {
  chargeId: string;
  status: 'succeeded' | 'failed';
  amountCents: number;
  amountRefundedCents: number;
  currency: string;
}

export interface ChargeRequest {
  orderId: string;
  amountCents: number;
  currency: string;
  token: string;
}

/**
 * The gateway idempotency key of one charge: the order and the payment token. A retry — ours or
 * the client's, with any of our Idempotency-Keys — of the same card for the same order is the
 * same charge; another card is another charge (the first may have been declined).
 */
export const chargeKey = (orderId: string, token: string) =>
  `surge-charge-${orderId}-${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;

interface GatewayErrorBody {
  error?: { type?: string; code?: string; message?: string; decline_code?: string; param?: string };
}

/**
 * HTTP client of the payment gateway (the simulator's API, in a card processor's shape): each
 * attempt bounded by `timeoutMs`, up to `retries` more with backoff on transient failures, every
 * attempt through `breaker` — once it is open, calls fail at once and nothing is sent.
 */
export function createGatewayClient(opts: {
  url: string;
  apiKey: string;
  timeoutMs: number;
  retries: number;
  breaker: Breaker;
  log: Log;
}): GatewayClient {
  const base = opts.url.replace(/\/+$/, '');

  async function attempt(path: string, body: unknown, key: string, signal: AbortSignal | undefined) {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${opts.apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(body),
      signal: signal
        ? AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)])
        : AbortSignal.timeout(opts.timeoutMs),
    }).catch((err: unknown) => {
      if (signal?.aborted) throw err;
      throw new GatewayUnavailableError(`payment gateway unreachable or slow: ${(err as Error).message}`, {
        cause: err,
      });
    });
    const text = await res.text().catch((err: unknown) => {
      throw new GatewayUnavailableError('payment gateway dropped the response', { cause: err });
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (res.status >= 500) throw new GatewayUnavailableError(`payment gateway answered ${res.status}`);
      throw new GatewayRejectedError(res.status, `payment gateway answered ${res.status} without JSON`);
    }
    // 5xx: the gateway is in trouble. 409: our key is still running there (a lost response of
    // an earlier attempt, or a concurrent request for the same card): ask again shortly.
    if (res.status >= 500 || res.status === 409) {
      throw new GatewayUnavailableError(`payment gateway answered ${res.status}`);
    }
    return { status: res.status, body: parsed };
  }

  /** Attempts through the breaker, retrying transient failures with the same key. */
  async function call(path: string, body: unknown, key: string, signal: AbortSignal | undefined) {
    for (let n = 0; ; n++) {
      try {
        return await opts.breaker.execute(() => attempt(path, body, key, signal), signal);
      } catch (err) {
        const retryable = err instanceof GatewayUnavailableError && n < opts.retries && !signal?.aborted;
        if (!retryable) throw err;
        opts.log.warn(
          { err, attempt: n + 1, path },
          'payment gateway call failed; retrying with the same key',
        );
        await sleep(backoffMs(n + 1, { baseMs: 50, maxMs: 1000 }), signal);
      }
    }
  }

  /** A GET through the breaker, retried like the POSTs (reads are idempotent by nature). */
  async function get(path: string, signal: AbortSignal | undefined): Promise<unknown> {
    for (let n = 0; ; n++) {
      try {
        return await opts.breaker.execute(async () => {
          const res = await fetch(base + path, {
            headers: { authorization: `Bearer ${opts.apiKey}` },
            signal: signal
              ? AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)])
              : AbortSignal.timeout(opts.timeoutMs),
          }).catch((err: unknown) => {
            throw new GatewayUnavailableError(
              `payment gateway unreachable or slow: ${(err as Error).message}`,
              {
                cause: err,
              },
            );
          });
          if (res.status >= 500) throw new GatewayUnavailableError(`payment gateway answered ${res.status}`);
          if (res.status !== 200)
            throw new GatewayRejectedError(res.status, `payment gateway refused GET ${path}`);
          return await res.json();
        }, signal);
      } catch (err) {
        if (!(err instanceof GatewayUnavailableError) || n >= opts.retries || signal?.aborted) throw err;
        await sleep(backoffMs(n + 1, { baseMs: 50, maxMs: 1000 }), signal);
      }
    }
  }

  return {
    async chargesOf(orderId, signal) {
      const body = (await get(`/charges?orderId=${encodeURIComponent(orderId)}`, signal)) as {
        data?: Array<{
          id: string;
          status: string;
          amount: number;
          amountRefunded: number;
          currency: string;
        }>;
      };
      return (body.data ?? []).map((c) => ({
        chargeId: c.id,
        status: c.status === 'succeeded' ? 'succeeded' : 'failed',
        amountCents: Number(c.amount),
        amountRefundedCents: Number(c.amountRefunded),
        currency: c.currency,
      }));
    },

    async charge(req, signal) {
      const { status, body } = await call(
        '/charges',
        { amount: req.amountCents, currency: req.currency, token: req.token, orderId: req.orderId },
        chargeKey(req.orderId, req.token),
        signal,
      );
      const err = (body as GatewayErrorBody).error;
      if (status === 201) {
        const c = body as { id?: unknown; amount?: unknown; status?: unknown };
        if (typeof c.id !== 'string' || c.status !== 'succeeded') {
          throw new GatewayRejectedError(status, 'payment gateway answered 201 without a succeeded charge');
        }
        return { kind: 'charged', chargeId: c.id, amountCents: Number(c.amount) };
      }
      if (status === 402 && err?.type === 'card_error') {
        return {
          kind: 'declined',
          declineCode: err.decline_code ?? err.code ?? 'declined',
          message: err.message ?? 'declined',
        };
      }
      if (status === 400 && err?.param === 'token') return { kind: 'invalid-token' };
      throw new GatewayRejectedError(status, `payment gateway refused the charge: ${err?.code ?? status}`);
    },

    async refund(chargeId, signal) {
      const { status, body } = await call(
        '/refunds',
        { charge: chargeId },
        `surge-refund-${chargeId}`,
        signal,
      );
      const r = body as { id?: unknown } & GatewayErrorBody;
      if (status === 201 && typeof r.id === 'string') return { refundId: r.id };
      // Refunded already (by an earlier attempt whose answer was lost, under another key): done.
      if (r.error?.code === 'charge_already_refunded') return { refundId: 'already-refunded' };
      throw new GatewayRejectedError(
        status,
        `payment gateway refused the refund: ${r.error?.code ?? status}`,
      );
    },
  };
}
