import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/db/schema.ts';
import { saleKeys } from '../src/modules/flash-sales/sale-stock.ts';
import { createLeaderboardStore } from '../src/modules/leaderboards/leaderboard-store.ts';
import type { Buyer } from './storm-buyers.ts';
import type { Check } from './storm-invariants.ts';

export interface PayPlan {
  baseUrls: readonly string[];
  db: Kysely<Database>;
  redis: Redis;
  saleId: string;
  stock: number;
  /** The accepted orders of this storm and who placed them. */
  orders: ReadonlyArray<{ orderId: string; userId: string }>;
  buyers: ReadonlyMap<string, Buyer>;
  /** The gateway's own books are read back to count charges (its API, its key). */
  gateway: { url: string; apiKey: string };
  /** The service's ORDER_PAYMENT_WINDOW_MS: the rest of the orders expire after it. */
  windowMs: number;
  /** The leaderboards' scope: the service's database name. */
  leaderboardScope: string;
  /** Share of orders paid. Default 0.5. */
  share?: number;
  concurrency?: number;
  random?: () => number;
}

interface PayAnswer {
  orderId: string;
  token: string;
  key: string;
  status: number;
  body: string;
}

const check = (id: string, what: string, pass: boolean, detail: string): Check => ({
  id,
  what,
  pass,
  detail,
});

/**
 * The storm's second act (`npm run storm -- --pay`): buyers pay a random part of the accepted
 * orders — most with `tok_visa`, some declined (`tok_insufficientFunds`, `tok_chargeDeclined`) and
 * some of those retried with another card, some replayed with the same key — and the rest are
 * left to expire. After the last deadline it checks, from Redis, MySQL and the gateway's own
 * books: remaining + paid units = stock (G3), every cancelled order's units returned once, no
 * order charged twice or charged without being paid (G6), replays identical, and the
 * leaderboards equal to MySQL.
 */
export async function payAndExpire(plan: PayPlan): Promise<{ checks: Check[]; lines: string[] }> {
  const random = plan.random ?? Math.random;
  const share = plan.share ?? 0.5;
  let sent = 0;
  const nextUrl = () => plan.baseUrls[sent++ % plan.baseUrls.length]!;
  const answers: PayAnswer[] = [];
  const replays: Array<{ first: PayAnswer; again: PayAnswer }> = [];

  async function pay(
    orderId: string,
    buyer: Buyer,
    token: string,
    key: string = randomUUID(),
  ): Promise<PayAnswer> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${nextUrl()}/v1/orders/${orderId}/payment`, {
          method: 'POST',
          headers: {
            authorization: buyer.authorization,
            'content-type': 'application/json',
            'idempotency-key': `"${key}"`,
          },
          body: JSON.stringify({ paymentToken: token }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = await res.text();
        // A 503 (or 409 while the key runs) is retried with the same key, as a client would.
        if (
          (res.status === 503 || res.status === 409) &&
          attempt < 8 &&
          !body.includes('ORDER_NOT_PAYABLE')
        ) {
          await new Promise((r) => setTimeout(r, 250 * attempt));
          continue;
        }
        return { orderId, token, key, status: res.status, body };
      } catch (err) {
        if (attempt >= 8) return { orderId, token, key, status: 0, body: String(err) };
      }
    }
  }

  const payers = plan.orders.filter(() => random() < share);
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < payers.length) {
      const o = payers[next++]!;
      const buyer = plan.buyers.get(o.userId);
      if (!buyer) continue;
      const r = random();
      const token = r < 0.75 ? 'tok_visa' : r < 0.9 ? 'tok_insufficientFunds' : 'tok_chargeDeclined';
      const first = await pay(o.orderId, buyer, token);
      answers.push(first);
      if (first.status === 402 && random() < 0.6) answers.push(await pay(o.orderId, buyer, 'tok_mastercard'));
      if (random() < 0.25)
        replays.push({ first, again: await pay(o.orderId, buyer, first.token, first.key) });
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency ?? 50 }, worker));
  const payMs = performance.now() - started;

  // Every order leaves `confirmed` (paid, or cancelled at its deadline) and cancelled units return.
  const expiryStarted = performance.now();
  const deadline = Date.now() + plan.windowMs + 120_000;
  const open = () =>
    plan.db
      .selectFrom('orders')
      .select(sql<number | string>`COUNT(*)`.as('n'))
      .where('sale_id', '=', plan.saleId)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'confirmed'),
          eb.and([eb('status', '=', 'cancelled'), eb('units_returned_at', 'is', null)]),
        ]),
      )
      .executeTakeFirstOrThrow();
  while (Number((await open()).n) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  const expiryMs = performance.now() - expiryStarted;

  const rows = await plan.db
    .selectFrom('orders')
    .select(['id', 'user_id', 'quantity', 'status', 'units_returned_at', 'price_cents'])
    .where('sale_id', '=', plan.saleId)
    .execute();
  const sale = await plan.db
    .selectFrom('flash_sales')
    .select(['sold', 'product_id'])
    .where('id', '=', plan.saleId)
    .executeTakeFirstOrThrow();
  const remaining = Number(await plan.redis.get(saleKeys(plan.saleId).stock));
  const paid = rows.filter((r) => r.status === 'paid');
  const paidUnits = paid.reduce((s, r) => s + Number(r.quantity), 0);
  const stillConfirmed = rows.filter((r) => r.status === 'confirmed').length;
  const cancelled = rows.filter((r) => r.status === 'cancelled');
  const notReturned = cancelled.filter((r) => r.units_returned_at === null).length;

  // The gateway's books, per order of this storm.
  const mine = new Set(plan.orders.map((o) => o.orderId));
  const status = new Map(rows.map((r) => [r.id, r.status]));
  let doubleCharged = 0;
  let keptWithoutPaid = 0;
  let paidWithoutCharge = 0;
  let charges = 0;
  let refunds = 0;
  const ids = [...mine];
  for (let i = 0; i < ids.length; i += 20) {
    await Promise.all(
      ids.slice(i, i + 20).map(async (id) => {
        const res = await fetch(`${plan.gateway.url}/charges?orderId=${id}`, {
          headers: { authorization: `Bearer ${plan.gateway.apiKey}` },
          signal: AbortSignal.timeout(10_000),
        });
        const list = ((await res.json()) as { data: Array<{ status: string; refunded: boolean }> }).data;
        const succeeded = list.filter((c) => c.status === 'succeeded');
        const kept = succeeded.filter((c) => !c.refunded).length;
        charges += succeeded.length;
        refunds += succeeded.length - kept;
        if (kept > 1) doubleCharged++;
        if (kept > 0 && status.get(id) !== 'paid') keptWithoutPaid++;
        if (kept === 0 && status.get(id) === 'paid') paidWithoutCharge++;
      }),
    );
  }

  const paid200 = answers.filter((a) => a.status === 200);
  const declined = answers.filter((a) => a.status === 402).length;
  const bad5xx = answers.filter((a) => a.status >= 500 || a.status === 0).length;
  const paid200NotPaid = paid200.filter((a) => status.get(a.orderId) !== 'paid').length;
  const replayMismatch = replays.filter(
    ({ first, again }) => first.status < 500 && (again.status !== first.status || again.body !== first.body),
  ).length;

  // Leaderboards against MySQL (the consumer is asynchronous: give it a little time).
  const store = createLeaderboardStore(plan.redis, { scope: plan.leaderboardScope });
  const expected = await plan.db
    .selectFrom('orders')
    .innerJoin('flash_sales', 'flash_sales.id', 'orders.sale_id')
    .select(sql<number | string>`COALESCE(SUM(orders.quantity), 0)`.as('units'))
    .where('flash_sales.product_id', '=', sale.product_id)
    .where('orders.status', '=', 'paid')
    .executeTakeFirstOrThrow();
  let board = 0;
  const lbDeadline = Date.now() + 60_000;
  do {
    board = Number((await plan.redis.zscore(store.keys.products, sale.product_id)) ?? 0);
    if (board === Number(expected.units)) break;
    await new Promise((r) => setTimeout(r, 500));
  } while (Date.now() < lbDeadline);

  const checks = [
    check(
      'G3',
      'after the deadlines: Redis remaining + paid units = stock',
      remaining + paidUnits === plan.stock && stillConfirmed === 0,
      `${remaining} + ${paidUnits} vs ${plan.stock}; ${stillConfirmed} still awaiting payment`,
    ),
    check(
      'G3',
      'after the deadlines: MySQL sold = paid units',
      Number(sale.sold) === paidUnits,
      `sold ${sale.sold}, paid units ${paidUnits}`,
    ),
    check(
      'G3',
      "every cancelled order's units returned (once: units_returned_at)",
      notReturned === 0,
      `${cancelled.length} cancelled, ${notReturned} not returned`,
    ),
    check(
      'G6',
      'no order charged twice at the gateway',
      doubleCharged === 0,
      `${charges} charges, ${refunds} refunded, ${doubleCharged} orders keep two`,
    ),
    check(
      'G6',
      'a kept charge ⇔ a paid order',
      keptWithoutPaid === 0 && paidWithoutCharge === 0,
      `${keptWithoutPaid} kept charges on unpaid orders, ${paidWithoutCharge} paid orders without a charge`,
    ),
    check(
      'PAY',
      'every 200 paid is paid in MySQL',
      paid200NotPaid === 0,
      `${paid200.length} answered paid, ${paid200NotPaid} not paid in MySQL`,
    ),
    check(
      'G4',
      'payment replays identical',
      replayMismatch === 0,
      `${replays.length} replays, ${replayMismatch} differed`,
    ),
    check('5xx', 'payments: no 5xx left after retries', bad5xx === 0, `${bad5xx} without a final answer`),
    check(
      'LB',
      'leaderboard units of the product = paid units in MySQL',
      board === Number(expected.units),
      `board ${board}, MySQL ${expected.units}`,
    ),
  ];
  const lines = [
    `payments: ${payers.length} of ${plan.orders.length} orders paid for (${answers.length} requests in ${(payMs / 1000).toFixed(1)} s): ${paid200.length} paid, ${declined} declined (402), ${replays.length} replays; ${paid.length} paid and ${cancelled.length} cancelled after ${(expiryMs / 1000).toFixed(1)} s of waiting for the deadlines`,
  ];
  return { checks, lines };
}
