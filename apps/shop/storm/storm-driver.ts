import { randomUUID } from 'node:crypto';
import type { Buyer } from './storm-buyers.ts';

/** One buy attempt as the storm saw it: what it sent and the final answer. */
export interface Attempt {
  /** `fresh`: a new key; `replay`: a completed key again, same body; `changed`: a completed key, another body. */
  kind: 'fresh' | 'replay' | 'changed';
  userId: string;
  key: string;
  quantity: number;
  /** HTTP status; 0 when no answer came after every retry. */
  status: number;
  code: string | undefined;
  body: string;
  orderId: string | undefined;
  retryAfter: boolean;
  latencyMs: number;
}

export interface StormPlan {
  /** The service, or several api instances of one deployment: requests go to them in turn. */
  baseUrl: string | readonly string[];
  saleId: string;
  buyers: readonly Buyer[];
  attempts: number;
  concurrency: number;
  perUserLimit: number;
  /** Share of attempts that replay a completed key. Default 0.1. */
  replayShare?: number;
  /** Share that reuse a completed key with another quantity. Default 0.03. */
  changedShare?: number;
  /** Share that start a burst: one buyer, three keys at once. Default 0.1. */
  burstShare?: number;
  random?: () => number;
}

const REQUEST_TIMEOUT_MS = 30_000;
const NETWORK_RETRIES = 5;

/**
 * Drives the real HTTP API like a crowd: `concurrency` clients, each sending one attempt after
 * another until `attempts` are spent. A request without an answer (timeout, reset) is retried
 * with the same key, as a well-behaved client would, so every attempt ends with a definite
 * answer the invariants can use.
 */
export async function driveStorm(plan: StormPlan): Promise<{ attempts: Attempt[]; elapsedMs: number }> {
  const random = plan.random ?? Math.random;
  const replayShare = plan.replayShare ?? 0.1;
  const changedShare = plan.changedShare ?? 0.03;
  const burstShare = plan.burstShare ?? 0.1;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const quantity = () => 1 + Math.floor(random() * plan.perUserLimit);
  const byId = new Map(plan.buyers.map((b) => [b.id, b]));
  const baseUrls = typeof plan.baseUrl === 'string' ? [plan.baseUrl] : plan.baseUrl;
  if (baseUrls.length === 0) throw new RangeError('driveStorm needs at least one base URL');
  // Round-robin per request: a key's replay or network retry often meets another instance.
  let sent = 0;
  const nextUrl = () => baseUrls[sent++ % baseUrls.length]!;
  const done: Attempt[] = [];
  const completed: Attempt[] = []; // stored answers (< 500): what replays and changed payloads reuse
  let budget = plan.attempts;

  async function send(kind: Attempt['kind'], buyer: Buyer, key: string, qty: number): Promise<Attempt> {
    const started = performance.now();
    let last: Attempt | undefined;
    for (let i = 0; i < NETWORK_RETRIES && !last; i++) {
      try {
        const res = await fetch(`${nextUrl()}/v1/flash-sales/${plan.saleId}/orders`, {
          method: 'POST',
          headers: {
            authorization: buyer.authorization,
            'content-type': 'application/json',
            'idempotency-key': `"${key}"`,
          },
          body: JSON.stringify({ quantity: qty }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const body = await res.text();
        let parsed: { code?: string; orderId?: string } = {};
        try {
          parsed = JSON.parse(body) as typeof parsed;
        } catch {
          // not JSON: recorded as is
        }
        last = {
          kind,
          userId: buyer.id,
          key,
          quantity: qty,
          status: res.status,
          code: parsed.code,
          body,
          orderId: res.status === 202 ? parsed.orderId : undefined,
          retryAfter: res.headers.has('retry-after'),
          latencyMs: performance.now() - started,
        };
      } catch {
        // no answer: retry the same key
      }
    }
    const attempt = last ?? {
      kind,
      userId: buyer.id,
      key,
      quantity: qty,
      status: 0,
      code: 'NO_ANSWER',
      body: '',
      orderId: undefined,
      retryAfter: false,
      latencyMs: performance.now() - started,
    };
    done.push(attempt);
    if (kind === 'fresh' && attempt.status > 0 && attempt.status < 500) completed.push(attempt);
    return attempt;
  }

  async function client(): Promise<void> {
    while (budget > 0) {
      budget--;
      const r = random();
      if (completed.length > 0 && r < replayShare) {
        const first = pick(completed);
        await send('replay', byId.get(first.userId)!, first.key, first.quantity);
      } else if (completed.length > 0 && r < replayShare + changedShare) {
        const first = pick(completed);
        await send(
          'changed',
          byId.get(first.userId)!,
          first.key,
          first.quantity === 1 ? 2 : first.quantity - 1,
        );
      } else if (r < replayShare + changedShare + burstShare && budget >= 2) {
        budget -= 2;
        const buyer = pick(plan.buyers);
        await Promise.all([0, 1, 2].map(() => send('fresh', buyer, randomUUID(), quantity())));
      } else {
        await send('fresh', pick(plan.buyers), randomUUID(), quantity());
      }
    }
  }

  const started = performance.now();
  await Promise.all(Array.from({ length: plan.concurrency }, () => client()));
  return { attempts: done, elapsedMs: performance.now() - started };
}
