import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { saleKeys } from '../modules/flash-sales/sale-stock.ts';
import type { Buyer } from '../../storm/storm-buyers.ts';
import type { Attempt } from '../../storm/storm-driver.ts';
import { checkInvariants } from '../../storm/storm-invariants.ts';
import type { Shop } from '../../storm/storm-shop.ts';
import { eventually } from '@surge/test-support';
import { call, type Answer } from './outage-http.ts';

/**
 * Placements of one sale for the outage tests: every answer within the hang detector of
 * outage-http.ts (a hang fails the test), each recorded as the storm's `Attempt`, so the storm's
 * invariants (storm-invariants.ts) judge them.
 */
export function placementCrowd(baseUrl: string, shop: Shop) {
  const attempts: Attempt[] = [];
  let turn = 0;

  async function place(buyer: Buyer, quantity: number, key = randomUUID()): Promise<Answer> {
    const a = await call(baseUrl, 'POST', `/v1/flash-sales/${shop.saleId}/orders`, {
      body: { quantity },
      headers: { authorization: buyer.authorization, 'idempotency-key': `"${key}"` },
    });
    attempts.push({
      kind: 'fresh',
      userId: buyer.id,
      key,
      quantity,
      status: a.status,
      code: typeof a.body.code === 'string' ? a.body.code : undefined,
      body: JSON.stringify(a.body),
      orderId: a.status === 202 ? String(a.body.orderId) : undefined,
      retryAfter: a.retryAfter !== null,
      latencyMs: a.ms,
    });
    return a;
  }

  /** `count` placements of one unit, `concurrency` at a time, the buyers taking turns. */
  async function wave(count: number, concurrency = 5): Promise<Answer[]> {
    const answers: Answer[] = [];
    let left = count;
    const client = async () => {
      while (left > 0) {
        left--;
        const buyer = shop.buyers[turn++ % shop.buyers.length]!;
        answers.push(await place(buyer, 1));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, client));
    return answers;
  }

  const accepted = () => attempts.filter((a) => a.status === 202 && a.orderId !== undefined);
  return {
    attempts,
    place,
    wave,
    accepted,
    /** Units of every 202 so far. */
    acceptedUnits: () => accepted().reduce((s, a) => s + a.quantity, 0),
    /** Placements until one is accepted (after healing), one buyer after the other. */
    untilAccepted: (what: string) =>
      eventually(
        what,
        async () => {
          const a = await place(shop.buyers[turn++ % shop.buyers.length]!, 1);
          return a.status === 202 ? a : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 250 },
      ),
  };
}

export type PlacementCrowd = ReturnType<typeof placementCrowd>;

/** The sale's state in Redis, read directly: remaining units and the live (not released) reservations. */
export async function saleInRedis(redis: Redis, saleId: string) {
  const keys = saleKeys(saleId);
  const [stock, reservations] = await Promise.all([redis.get(keys.stock), redis.hgetall(keys.orders)]);
  const live = new Map<string, number>();
  for (const [orderId, record] of Object.entries(reservations)) {
    const [state, , qty] = record.split('|');
    if (state !== 'released') live.set(orderId, Number(qty));
  }
  return { remaining: stock === null ? undefined : Number(stock), live };
}

/**
 * While placements fail: Redis holds exactly the accepted orders' units — every refused one gave
 * its units back and left no live reservation.
 */
export async function assertOnlyAcceptedHeld(redis: Redis, shop: Shop, stock: number, crowd: PlacementCrowd) {
  const { remaining, live } = await saleInRedis(redis, shop.saleId);
  assert.equal(remaining, stock - crowd.acceptedUnits(), 'the refused placements’ units are back');
  assert.deepEqual(
    [...live.keys()].sort(),
    crowd
      .accepted()
      .map((a) => a.orderId!)
      .sort(),
    'a live reservation for each accepted order and no other',
  );
}

/** Waits until every 202 so far has its row in MySQL (the order-writer is asynchronous). */
export async function drained(db: Kysely<Database>, crowd: PlacementCrowd, what: string) {
  const ids = crowd.accepted().map((a) => a.orderId!);
  let stored = 0;
  await eventually(
    what,
    async () => {
      if (ids.length === 0) return true;
      const rows = await db.selectFrom('orders').select('id').where('id', 'in', ids).execute();
      stored = rows.length;
      return stored === ids.length ? true : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, progress: () => `${stored} of ${ids.length} stored` },
  );
}

/**
 * G1–G5 from Redis and MySQL (the storm's checks) over every placement so far, plus: one row per
 * accepted orderId, and any other row of the sale (a 503 whose late ack reached the order-writer) is
 * rejected, never live.
 */
export async function assertInvariants(
  t: TestContext,
  s: {
    db: Kysely<Database>;
    redis: Redis;
    shop: Shop;
    stock: number;
    perUserLimit: number;
    crowd: PlacementCrowd;
  },
) {
  const checks = await checkInvariants({
    db: s.db,
    redis: s.redis,
    saleId: s.shop.saleId,
    stock: s.stock,
    perUserLimit: s.perUserLimit,
    attempts: s.crowd.attempts,
    buyerIds: new Set(s.shop.buyers.map((b) => b.id)),
  });
  for (const c of checks) t.diagnostic(`${c.pass ? 'pass' : 'FAIL'} ${c.id} ${c.what}: ${c.detail}`);
  for (const c of checks) assert.ok(c.pass, `${c.id} ${c.what}: ${c.detail}`);
  const accepted = new Set(s.crowd.accepted().map((a) => a.orderId!));
  const rows = await s.db
    .selectFrom('orders')
    .select(['id', 'status'])
    .where('sale_id', '=', s.shop.saleId)
    .execute();
  const perOrder = new Map<string, number>();
  for (const r of rows) perOrder.set(r.id, (perOrder.get(r.id) ?? 0) + 1);
  assert.deepEqual(
    [...accepted].filter((id) => perOrder.get(id) !== 1),
    [],
    'exactly one row per accepted order',
  );
  const others = rows.filter((r) => !accepted.has(r.id));
  assert.deepEqual(
    others.filter((r) => r.status !== 'rejected'),
    [],
    'a row of a refused placement is rejected',
  );
  return { acceptedOrders: accepted.size, refusedButWritten: others.length };
}
