import type { Redis } from 'ioredis';
import { saleKeys, type ReservationState } from '../flash-sales/sale-stock.ts';

/** One field of a sale's reservations hash (reserve-5.lua: `state|userId|qty|reservedAtMs`). */
export interface Reservation {
  orderId: string;
  state: ReservationState;
  userId: string;
  quantity: number;
  reservedAtMs: number;
}

const RECORD = /^(reserved|published|confirmed|released)\|([^|]*)\|(\d+)\|(\d+)$/;

/** Parses a reservation record; throws on a record no script writes (a bug, not a state to guess). */
export function parseReservation(orderId: string, record: string): Reservation {
  const m = RECORD.exec(record);
  if (!m) throw new Error(`reservation ${orderId} has an unreadable record: ${JSON.stringify(record)}`);
  return {
    orderId,
    state: m[1] as ReservationState,
    userId: m[2]!,
    quantity: Number(m[3]),
    reservedAtMs: Number(m[4]),
  };
}

export const isLive = (r: Reservation) => r.state !== 'released';

/** A sale's Redis state read in one MULTI (one slot): remaining units and every reservation. */
export interface SaleSnapshot {
  /** `undefined`: the stock key is missing (Redis lost the sale, or it was never warmed). */
  remaining: number | undefined;
  reservations: ReadonlyMap<string, Reservation>;
}

/**
 * Reads of a sale's Redis state for reconciliation. The snapshot is one HGETALL of the
 * reservations hash (live reservations and tombstones of the sale): O(orders placed), run by one
 * instance per round.
 */
export function createSaleSnapshots(redis: Redis) {
  return {
    async read(saleId: string): Promise<SaleSnapshot> {
      const k = saleKeys(saleId);
      const replies = await redis.multi().get(k.stock).hgetall(k.orders).exec();
      if (!replies) throw new Error('the snapshot transaction was discarded');
      for (const [err] of replies) if (err) throw err;
      const remaining = replies[0]![1] as string | null;
      const hash = replies[1]![1] as Record<string, string>;
      const reservations = new Map<string, Reservation>();
      for (const [orderId, record] of Object.entries(hash))
        reservations.set(orderId, parseReservation(orderId, record));
      return { remaining: remaining === null ? undefined : Number(remaining), reservations };
    },

    /**
     * Reservations still in state `reserved` that were reserved more than `ageMs` ago by Redis'
     * clock (the one reserve-5.lua stamps them with), oldest first, from the first `limit` entries
     * of the open set older than that (published ones waiting for the order-writer are in it too).
     */
    async staleReserved(saleId: string, ageMs: number, limit: number): Promise<Reservation[]> {
      const k = saleKeys(saleId);
      const [sec, usec] = await redis.time();
      const cutoff = Number(sec) * 1000 + Math.floor(Number(usec) / 1000) - ageMs;
      const ids = await redis.zrangebyscore(k.open, '-inf', cutoff, 'LIMIT', 0, limit);
      if (ids.length === 0) return [];
      const records = await redis.hmget(k.orders, ...ids);
      const stale: Reservation[] = [];
      ids.forEach((id, i) => {
        const record = records[i];
        if (record == null) return;
        const r = parseReservation(id, record);
        if (r.state === 'reserved') stale.push(r);
      });
      return stale;
    },

    /** Which of `orderIds` have a record (live or tombstone) in the sale's reservations hash now. */
    async present(saleId: string, orderIds: readonly string[]): Promise<Set<string>> {
      if (orderIds.length === 0) return new Set();
      const records = await redis.hmget(saleKeys(saleId).orders, ...orderIds);
      return new Set(orderIds.filter((_, i) => records[i] != null));
    },
  };
}

export type SaleSnapshots = ReturnType<typeof createSaleSnapshots>;
