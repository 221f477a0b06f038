import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { defineScript, replyCodes } from '@surge/redis-kit';

const HOUR_MS = 3_600_000;
/** An hour bucket outlives the 24 h window it takes part in. */
const BUCKET_TTL_MS = 26 * HOUR_MS;
/** A paid order is counted once for this long (far longer than any redelivery). */
const COUNTED_TTL_MS = 30 * 24 * HOUR_MS;

const countPaid = defineScript(
  new URL('./count-paid-4.lua', import.meta.url),
  replyCodes('count-paid-4', { COUNTED: 'counted', DUPLICATE: 'duplicate' }),
);

const unionTop = defineScript(
  new URL('./union-top-n.lua', import.meta.url),
  (reply): Array<[string, number]> => {
    if (!Array.isArray(reply)) throw new TypeError('union-top-n: expected an array');
    const out: Array<[string, number]> = [];
    for (let i = 0; i + 1 < reply.length; i += 2) out.push([String(reply[i]), Number(reply[i + 1])]);
    return out;
  },
);

export type Window = '1h' | '24h' | 'all';

/** `yyyymmddhh` of `ms`, UTC. */
export const hourOf = (ms: number) => new Date(ms).toISOString().slice(0, 13).replace(/[-T]/g, '');

export interface PaidOrder {
  orderId: string;
  productId: string | undefined;
  userId: string;
  quantity: number;
  amountCents: number;
  paidAtMs: number;
}

/**
 * The leaderboards in Redis sorted sets under one hash tag per database: units per product in
 * hour buckets (kept 26 h) and all time, spend per buyer. Each paid order is counted once (a mark
 * per order, set in the same script as the increments).
 */
export function createLeaderboardStore(redis: Redis, opts: { scope: string }) {
  const tag = `surge:lb:{${opts.scope}}`;
  const keys = {
    counted: (orderId: string) => `${tag}:counted:${orderId}`,
    hour: (h: string) => `${tag}:products:h:${h}`,
    products: `${tag}:products:all`,
    buyers: `${tag}:buyers:all`,
    scratch: () => `${tag}:scratch:${randomUUID()}`,
  };
  const countInto = (k: { hour: (h: string) => string; products: string; buyers: string }, o: PaidOrder) =>
    countPaid.run(
      redis,
      [keys.counted(o.orderId), k.hour(hourOf(o.paidAtMs)), k.products, k.buyers],
      [o.productId ?? '', o.quantity, o.userId, o.amountCents, BUCKET_TTL_MS, COUNTED_TTL_MS],
    );

  return {
    keys,
    /** Counts a paid order unless it was counted already. */
    count: (o: PaidOrder) => countInto(keys, o),

    /** The top `n` products of `window` (1h: this clock hour, UTC; 24h: it and the 23 before). */
    async topProducts(window: Window, n: number, nowMs = Date.now()): Promise<Array<[string, number]>> {
      if (window === 'all') return unionTop.run(redis, [keys.scratch(), keys.products], [n]);
      const hours = window === '1h' ? 1 : 24;
      const buckets = Array.from({ length: hours }, (_, i) => keys.hour(hourOf(nowMs - i * HOUR_MS)));
      return unionTop.run(redis, [keys.scratch(), ...buckets], [n]);
    },
    topBuyers: (n: number) => unionTop.run(redis, [keys.scratch(), keys.buyers], [n]),

    /**
     * Replaces every board with what `paid` adds up to (the rebuild from MySQL): built under
     * scratch keys, then renamed over the live ones in one MULTI. Every order counted is marked,
     * so its order.paid, if still on its way, counts nothing.
     */
    async replaceWith(paid: AsyncIterable<PaidOrder>, nowMs = Date.now()): Promise<{ orders: number }> {
      const build = `${tag}:rebuild:${randomUUID()}`;
      const staged = {
        hour: (h: string) => `${build}:products:h:${h}`,
        products: `${build}:products:all`,
        buyers: `${build}:buyers:all`,
      };
      const hoursSeen = new Set<string>();
      let orders = 0;
      for await (const o of paid) {
        await redis.del(keys.counted(o.orderId));
        await countInto(staged, o);
        if (nowMs - o.paidAtMs < BUCKET_TTL_MS) hoursSeen.add(hourOf(o.paidAtMs));
        orders++;
      }
      const multi = redis.multi();
      for (const key of [keys.products, keys.buyers]) multi.del(key);
      for (let i = 0; i < 26; i++) multi.del(keys.hour(hourOf(nowMs - i * HOUR_MS)));
      for (const h of hoursSeen) {
        multi.rename(staged.hour(h), keys.hour(h));
        multi.pexpire(keys.hour(h), BUCKET_TTL_MS);
      }
      // A board with no entries has no key to rename.
      const exists = await redis.exists(staged.products, staged.buyers);
      if (exists > 0) {
        if (await redis.exists(staged.products)) multi.rename(staged.products, keys.products);
        if (await redis.exists(staged.buyers)) multi.rename(staged.buyers, keys.buyers);
      }
      await multi.exec();
      return { orders };
    },
  };
}

export type LeaderboardStore = ReturnType<typeof createLeaderboardStore>;
