/** An order or reservation that holds units of a sale. */
export interface HeldUnits {
  orderId: string;
  quantity: number;
}

export interface ExpectedStock {
  /** Units the sale should have left in Redis: stock − {@link heldUnits}. */
  remaining: number;
  /** Units of every order that holds stock, each order counted once. */
  heldUnits: number;
  /** Of those, units of Redis reservations with no live order in MySQL (yet): in flight. */
  inFlightUnits: number;
}

/**
 * What a sale's Redis remaining should be (docs/operations.md, "Reconciliation"): its stock minus
 * the units of every order that holds stock, where an order holds stock when MySQL has it live
 * (confirmed or paid) or Redis has its reservation live (reserved, published or confirmed: not
 * yet written, or cancelled and not yet returned), each orderId counted once.
 * rebuild-stock passes no Redis reservations (Redis lost them): stock − MySQL's live units.
 * Reconciliation reads Redis (remaining and reservations, atomically) before MySQL: a reservation
 * is live from its reserve until after its order left MySQL's live set, so every order holding
 * units at the Redis read is seen; the caller drops MySQL orders reserved after that read.
 */
export function expectedStock(
  stock: number,
  mysqlLive: readonly HeldUnits[],
  redisLive: readonly HeldUnits[] = [],
): ExpectedStock {
  const held = new Map<string, number>();
  for (const o of mysqlLive) held.set(o.orderId, o.quantity);
  let inFlightUnits = 0;
  for (const r of redisLive) {
    if (held.has(r.orderId)) continue;
    held.set(r.orderId, r.quantity);
    inFlightUnits += r.quantity;
  }
  let heldUnits = 0;
  for (const q of held.values()) heldUnits += q;
  return { remaining: stock - heldUnits, heldUnits, inFlightUnits };
}

/**
 * Drift of a sale, in units: expected remaining ({@link expectedStock}) − Redis remaining, with a
 * missing stock key counted as 0 remaining (the whole expected remaining is drift: run
 * rebuild-stock). 0 when Redis and MySQL agree; > 0: Redis has fewer units than it should (units
 * lost to the sale: it undersells); < 0: Redis would sell units some order holds (MySQL's guard
 * then rejects orders that were accepted): investigate at once.
 */
export const stockDrift = (expected: ExpectedStock, redisRemaining: number | undefined): number =>
  expected.remaining - (redisRemaining ?? 0);
