import type { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/db/schema.ts';
import { saleKeys } from '../src/modules/flash-sales/sale-stock.ts';
import type { Attempt } from './storm-driver.ts';

export interface Check {
  id: string;
  what: string;
  pass: boolean;
  detail: string;
}

const check = (id: string, what: string, pass: boolean, detail: string): Check => ({
  id,
  what,
  pass,
  detail,
});

/**
 * G1–G5 from the stores themselves (Redis and MySQL, read directly) and from every response the
 * storm received — never from what the service says about itself.
 */
export async function checkInvariants(opts: {
  db: Kysely<Database>;
  redis: Redis;
  saleId: string;
  stock: number;
  perUserLimit: number;
  attempts: readonly Attempt[];
  /** This storm's buyers: orders of earlier storms on the sale are not this run's to explain. */
  buyerIds: ReadonlySet<string>;
}): Promise<Check[]> {
  const { db, redis, saleId, stock, perUserLimit, attempts } = opts;
  const keys = saleKeys(saleId);
  const sale = await db
    .selectFrom('flash_sales')
    .select(['sold', 'stock'])
    .where('id', '=', saleId)
    .executeTakeFirstOrThrow();
  const orders = await db
    .selectFrom('orders')
    .select(['id', 'user_id', 'quantity', 'status'])
    .where('sale_id', '=', saleId)
    .execute();
  const live = orders.filter((o) => o.status === 'confirmed' || o.status === 'paid');
  const liveUnits = live.reduce((s, o) => s + Number(o.quantity), 0);
  const remaining = Number(await redis.get(keys.stock));
  const reservations = await redis.hgetall(keys.orders);
  const heldRedis = await redis.hgetall(keys.users);
  const liveReservedUnits = Object.values(reservations)
    .map((v) => v.split('|'))
    .filter(([state]) => state !== 'released')
    .reduce((s, [, , qty]) => s + Number(qty), 0);

  const accepted = attempts.filter((a) => a.status === 202 && a.orderId !== undefined);
  const acceptedIds = new Set(accepted.map((a) => a.orderId!));
  const rowsById = new Map(orders.map((o) => [o.id, o]));
  const missing = [...acceptedIds].filter((id) => !rowsById.has(id));
  // Accepted orders are confirmed, then paid or cancelled (their deadline): never rejected.
  const notLive = [...acceptedIds].filter((id) => rowsById.get(id)?.status === 'rejected');
  const liveNotAccepted = live.filter((o) => opts.buyerIds.has(o.user_id) && !acceptedIds.has(o.id));
  const duplicateRows = await sql<{ n: number }>`
    SELECT COUNT(*) - COUNT(DISTINCT id) AS n FROM orders WHERE sale_id = ${saleId}`.execute(db);

  // G4: every replay answered as its first request did; a changed payload was refused.
  const firsts = new Map<string, Attempt>();
  for (const a of attempts) if (a.kind === 'fresh' && a.status < 500) firsts.set(`${a.userId} ${a.key}`, a);
  const replays = attempts.filter((a) => a.kind === 'replay');
  const replayMismatches = replays.filter((a) => {
    const first = firsts.get(`${a.userId} ${a.key}`);
    if (!first || a.status === 409 || a.status >= 500) return false; // in progress, or first not stored
    return a.status !== first.status || a.body !== first.body;
  });
  const changed = attempts.filter((a) => a.kind === 'changed');
  const changedAccepted = changed.filter(
    (a) => a.status < 400 || (a.status !== 422 && a.status !== 409 && a.status < 500),
  );

  // G5: per user, from MySQL and from Redis.
  const perUser = new Map<string, number>();
  for (const o of live) perUser.set(o.user_id, (perUser.get(o.user_id) ?? 0) + Number(o.quantity));
  const overLimit = [...perUser.values()].filter((u) => u > perUserLimit).length;
  const overLimitRedis = Object.values(heldRedis).filter((u) => Number(u) > perUserLimit).length;

  const fiveHundreds = attempts.filter((a) => a.status >= 500 && !(a.status === 503 && a.retryAfter));
  return [
    check(
      'G1',
      'no oversell in MySQL (sold ≤ stock, live order units = sold)',
      Number(sale.sold) <= stock && liveUnits === Number(sale.sold),
      `sold ${sale.sold}, live order units ${liveUnits}, stock ${stock}`,
    ),
    check(
      'G1',
      'no oversell in Redis (remaining ≥ 0, reserved ≤ stock)',
      remaining >= 0 && liveReservedUnits <= stock,
      `remaining ${remaining}, live reserved units ${liveReservedUnits}`,
    ),
    check(
      'G2',
      'every 202 has exactly one live order row',
      missing.length === 0 && notLive.length === 0 && Number(duplicateRows.rows[0]?.n ?? 0) === 0,
      `${acceptedIds.size} accepted, ${missing.length} without a row, ${notLive.length} rejected after 202`,
    ),
    check(
      'G2',
      'no live order without a 202',
      liveNotAccepted.length === 0,
      `${liveNotAccepted.length} live orders nobody was told about`,
    ),
    check(
      'G3',
      'Redis remaining + live units = stock',
      remaining + liveUnits === stock,
      `${remaining} + ${liveUnits} = ${remaining + liveUnits} vs ${stock}`,
    ),
    check(
      'G3',
      'MySQL stock − sold = Redis remaining',
      stock - Number(sale.sold) === remaining,
      `${stock} − ${sale.sold} vs ${remaining}`,
    ),
    check(
      'G4',
      'replays identical to the first answer',
      replayMismatches.length === 0,
      `${replays.length} replays, ${replayMismatches.length} differed`,
    ),
    check(
      'G4',
      'a changed payload under a used key is refused (422, or 409 while running)',
      changedAccepted.length === 0,
      `${changed.length} changed payloads, ${changedAccepted.length} not refused`,
    ),
    check(
      'G5',
      'per-user limit in MySQL and Redis',
      overLimit === 0 && overLimitRedis === 0,
      `${overLimit} users over ${perUserLimit} in MySQL, ${overLimitRedis} in Redis`,
    ),
    check(
      '5xx',
      'no 5xx other than 503 with Retry-After',
      fiveHundreds.length === 0,
      `${fiveHundreds.length} bad 5xx`,
    ),
  ];
}
