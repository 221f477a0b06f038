import type { Redis } from 'ioredis';
import { defineScript, replyCodes, UnexpectedScriptReplyError } from '@surge/redis-kit';
import { expectedStock } from './stock-drift.ts';

/** The state a reservation records (reserve-5.lua), so reconciliation can tell them apart. */
export type ReservationState = 'reserved' | 'published' | 'confirmed' | 'released';

export type ReserveResult =
  | { kind: 'reserved'; remaining: number }
  | { kind: 'already'; state: ReservationState; remaining: number }
  | { kind: 'soldOut'; remaining: number }
  | { kind: 'limitExceeded'; held: number }
  | { kind: 'notStarted'; startsAtMs: number }
  | { kind: 'ended'; endsAtMs: number }
  | { kind: 'noSale' };

export type ReleaseResult =
  | { kind: 'released'; remaining: number }
  | { kind: 'alreadyReleased' }
  | { kind: 'unknown' }
  | { kind: 'kept'; state: Exclude<ReservationState, 'released' | 'reserved'> };

const STATES: ReadonlySet<string> = new Set(['reserved', 'published', 'confirmed', 'released']);

/** Splits a `{status, …values}` reply; the status is a string, the values as the script returns them. */
function tuple(script: string, reply: unknown): [string, ...unknown[]] {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string')
    throw new UnexpectedScriptReplyError(script, reply);
  return reply as [string, ...unknown[]];
}

function integer(script: string, reply: unknown, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new UnexpectedScriptReplyError(script, reply);
  return value;
}

function state<S extends string>(
  script: string,
  reply: unknown,
  value: unknown,
  allowed: ReadonlySet<string>,
): S {
  if (typeof value !== 'string' || !allowed.has(value)) throw new UnexpectedScriptReplyError(script, reply);
  return value as S;
}

/** What warming did; `lost`: a started sale without stock, left to rebuild-stock (warm-stock-2.lua). */
export type WarmResult = { warmed: boolean; remaining: number } | { warmed: false; lost: true };

const warmScript = defineScript(new URL('./warm-stock-2.lua', import.meta.url), (reply): WarmResult => {
  const [status, remaining] = tuple('warm-stock-2', reply);
  if (status === 'LOST') return { warmed: false, lost: true };
  if (status !== 'WARMED' && status !== 'PRESENT')
    throw new UnexpectedScriptReplyError('warm-stock-2', reply);
  return { warmed: status === 'WARMED', remaining: integer('warm-stock-2', reply, remaining) };
});

const reserveScript = defineScript(new URL('./reserve-5.lua', import.meta.url), (reply): ReserveResult => {
  const id = 'reserve-5';
  const [status, a, b] = tuple(id, reply);
  switch (status) {
    case 'OK':
      return { kind: 'reserved', remaining: integer(id, reply, a) };
    case 'ALREADY':
      return { kind: 'already', state: state(id, reply, a, STATES), remaining: integer(id, reply, b) };
    case 'SOLD_OUT':
      return { kind: 'soldOut', remaining: integer(id, reply, a) };
    case 'LIMIT_EXCEEDED':
      return { kind: 'limitExceeded', held: integer(id, reply, a) };
    case 'NOT_STARTED':
      return { kind: 'notStarted', startsAtMs: integer(id, reply, a) };
    case 'ENDED':
      return { kind: 'ended', endsAtMs: integer(id, reply, a) };
    case 'NO_SALE':
      return { kind: 'noSale' };
    default:
      throw new UnexpectedScriptReplyError(id, reply);
  }
});

const markPublishedScript = defineScript(
  new URL('./mark-published-1.lua', import.meta.url),
  replyCodes('mark-published-1', {
    PUBLISHED: 'published',
    CONFIRMED: 'confirmed',
    RELEASED: 'released',
    UNKNOWN: 'unknown',
  }),
);

const confirmScript = defineScript(
  new URL('./confirm-2.lua', import.meta.url),
  replyCodes('confirm-2', { CONFIRMED: 'confirmed', RELEASED: 'released', UNKNOWN: 'unknown' }),
);

const KEPT: ReadonlySet<string> = new Set(['published', 'confirmed']);
const releaseScript = defineScript(new URL('./release-4.lua', import.meta.url), (reply): ReleaseResult => {
  const id = 'release-4';
  const [status, a] = tuple(id, reply);
  switch (status) {
    case 'RELEASED':
      return { kind: 'released', remaining: integer(id, reply, a) };
    case 'ALREADY_RELEASED':
      return { kind: 'alreadyReleased' };
    case 'UNKNOWN':
      return { kind: 'unknown' };
    case 'KEPT':
      return { kind: 'kept', state: state(id, reply, a, KEPT) };
    default:
      throw new UnexpectedScriptReplyError(id, reply);
  }
});

const rebuildScript = defineScript(new URL('./rebuild-stock-5.lua', import.meta.url), (reply) => {
  const [status, remaining] = tuple('rebuild-stock-5', reply);
  if (status !== 'REBUILT' && status !== 'PRESENT')
    throw new UnexpectedScriptReplyError('rebuild-stock-5', reply);
  return { rebuilt: status === 'REBUILT', remaining: integer('rebuild-stock-5', reply, remaining) };
});

/** The keys of one sale; they share the hash tag `{sale:<id>}`, so Redis Cluster keeps them in one slot. */
export function saleKeys(saleId: string) {
  const tag = `surge:{sale:${saleId}}`;
  return {
    stock: `${tag}:stock`,
    meta: `${tag}:meta`,
    users: `${tag}:users`,
    orders: `${tag}:orders`,
    open: `${tag}:open`,
  } as const;
}

export interface SaleWindow {
  stock: number;
  startsAtMs: number;
  endsAtMs: number;
  perUserLimit: number;
  /** When every key of the sale may expire (epoch ms); after the last order's payment window. */
  expireAtMs: number;
}

/**
 * A sale's stock in Redis (docs/architecture.md, "Redis state of a sale"): every operation is one
 * Lua script on the sale's keys, idempotent by orderId, on Redis' clock, so instances agree and a
 * command ioredis resends after a reconnect has no second effect.
 */
export function createSaleStock(redis: Redis, opts: { tombstoneTtlMs: number }) {
  return {
    /**
     * Puts the stock (only if absent) and the window into Redis; safe to call any number of times.
     * `mode: 'new'` for a sale just created; `'beforeStart'` (the periodic warmer) puts no stock
     * into a sale that has started: its stock is absent because Redis lost it (`lost`), and only
     * rebuild-stock knows how much was sold.
     */
    async warm(saleId: string, sale: SaleWindow, mode: 'new' | 'beforeStart'): Promise<WarmResult> {
      const k = saleKeys(saleId);
      return warmScript.run(
        redis,
        [k.stock, k.meta],
        [sale.stock, sale.startsAtMs, sale.endsAtMs, sale.perUserLimit, sale.expireAtMs, mode],
      );
    },

    async reserve(
      saleId: string,
      order: { orderId: string; userId: string; quantity: number },
    ): Promise<ReserveResult> {
      const k = saleKeys(saleId);
      return reserveScript.run(
        redis,
        [k.stock, k.meta, k.users, k.orders, k.open],
        [order.orderId, order.userId, order.quantity],
      );
    },

    /** After Kafka acknowledged the order's `order.placed`. */
    async markPublished(saleId: string, orderId: string) {
      return markPublishedScript.run(redis, [saleKeys(saleId).orders], [orderId]);
    },

    /** By the order-writer, before it writes the order: a released reservation means "reject". */
    async confirm(saleId: string, orderId: string) {
      const k = saleKeys(saleId);
      return confirmScript.run(redis, [k.orders, k.open], [orderId]);
    },

    /**
     * Returns the order's units. `mode: 'unpublished'` (reconciliation) releases only a reservation
     * whose event was never acknowledged; `'any'` (a cancelled or rejected order) releases in every state.
     */
    async release(
      saleId: string,
      orderId: string,
      mode: 'any' | 'unpublished' = 'any',
    ): Promise<ReleaseResult> {
      const k = saleKeys(saleId);
      return releaseScript.run(
        redis,
        [k.stock, k.users, k.orders, k.open],
        [orderId, mode, opts.tombstoneTtlMs],
      );
    },

    /**
     * Recreates the sale's Redis state from MySQL's live orders (after Redis lost it); only when
     * the stock key is absent unless `force`. Placements must be drained first when forcing.
     * Remaining = `expectedStock(stock, liveOrders)`: what reconciliation measures drift against.
     */
    async rebuild(
      saleId: string,
      sale: SaleWindow,
      liveOrders: ReadonlyArray<{ orderId: string; userId: string; quantity: number }>,
      force: boolean,
    ): Promise<{ rebuilt: boolean; remaining: number; liveUnits: number }> {
      const k = saleKeys(saleId);
      const expected = expectedStock(sale.stock, liveOrders);
      const result = await rebuildScript.run(
        redis,
        [k.stock, k.meta, k.users, k.orders, k.open],
        [
          force ? '1' : '0',
          expected.remaining,
          sale.startsAtMs,
          sale.endsAtMs,
          sale.perUserLimit,
          sale.expireAtMs,
          ...liveOrders.flatMap((o) => [o.orderId, o.userId, o.quantity]),
        ],
      );
      return { ...result, liveUnits: expected.heldUnits };
    },

    /** Units left, or `undefined` when the sale is not in Redis. */
    async remaining(saleId: string): Promise<number | undefined> {
      const value = await redis.get(saleKeys(saleId).stock);
      return value === null ? undefined : Number(value);
    },
  };
}

export type SaleStock = ReturnType<typeof createSaleStock>;
