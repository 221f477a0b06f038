import type { Message, Publisher } from '@surge/messaging';
import { withTimeout, type Log } from '@surge/resilience';
import { EVENT_SOURCE } from '../../context.ts';
import { DomainError, dependencyUnavailable, notFound } from '../../errors.ts';
import { OrderPlaced } from '../orders/order-events.ts';
import type { PendingOrders } from '../orders/pending-orders.ts';
import type { FlashSaleReader } from './flash-sale-view.ts';
import type { RemainingSnapshots } from './remaining-snapshots.ts';
import type { SaleStock } from './sale-stock.ts';

export interface PlacementRequest {
  saleId: string;
  userId: string;
  quantity: number;
  /** Fixed by the first attempt of the Idempotency-Key: a retry reserves idempotently. */
  orderId: string;
  /** 1 for the key's first attempt; a later attempt may find its own earlier reservation. */
  attempt: number;
  /** Trace headers for the event. */
  headers: Record<string, string>;
}

export interface Accepted {
  orderId: string;
  status: 'pending';
  saleId: string;
  quantity: number;
}

/** Thrown when the attempt took nothing (released): a retry may start afresh with a new orderId. */
export interface NothingTaken {
  readonly nothingTaken: true;
}
const nothingTaken = <E extends Error>(err: E): E & NothingTaken =>
  Object.assign(err, { nothingTaken: true as const });
export const tookNothing = (e: unknown): boolean =>
  (e as Partial<NothingTaken> | null)?.nothingTaken === true;

const soldOut = () => new DomainError('SOLD_OUT', 'the sale has no units left for this quantity');
const notActive = (why: string) => new DomainError('SALE_NOT_ACTIVE', why);

/**
 * Order placement's hot path (docs/architecture.md, the order pipeline, steps 2–4): reserve in
 * Redis, publish `order.placed` and wait for Kafka's ack, answer accepted. MySQL is never
 * touched. Every outcome but "accepted" either took nothing or gave it back, except an unknown
 * one (a Redis timeout during reserve, a release that failed), left to the retry of the same key
 * (same orderId, idempotent) or to reconciliation.
 */
export function createPlacement(deps: {
  reader: FlashSaleReader;
  stock: SaleStock;
  snapshots: RemainingSnapshots;
  /** Shares produce requests among concurrent placements (messaging's batching publisher). */
  publisher: Publisher;
  pending: PendingOrders;
  ordersTopic: string;
  /** Budget for the broker's ack. */
  publishTimeoutMs: number;
  log: Log;
  /** Test profile only: a pause between reserve and publish, for the crash test. */
  pauseAfterReserve?: (orderId: string) => Promise<void>;
}) {
  const { stock, snapshots, log } = deps;

  async function reserve(req: PlacementRequest) {
    try {
      return await stock.reserve(req.saleId, req);
    } catch (err) {
      // Unknown outcome: the script may have run. The retry of this key reuses the orderId.
      throw dependencyUnavailable('the stock store', err);
    }
  }

  return async function place(req: PlacementRequest): Promise<Accepted> {
    const sale = await deps.reader.record(req.saleId);
    if (!sale) throw notFound('flash sale');
    // Sold out, known from this instance's last look (≤ refresh interval old, reopened by any
    // release it sees): answered without Redis. A retry of a key might own a reservation, so it asks.
    if (req.attempt === 1 && snapshots.peek(req.saleId) === 0) throw nothingTaken(soldOut());
    const reserved = await reserve(req);
    switch (reserved.kind) {
      case 'reserved':
        snapshots.observe(req.saleId, reserved.remaining);
        break;
      case 'already':
        // This key's earlier attempt reserved; publishing again is harmless (order-writer is
        // idempotent by orderId). A released one can never be taken again: start afresh.
        if (reserved.state === 'released') {
          throw nothingTaken(dependencyUnavailable('the order (its earlier attempt was released)'));
        }
        break;
      case 'soldOut':
        snapshots.observe(req.saleId, reserved.remaining);
        throw nothingTaken(soldOut());
      case 'limitExceeded':
        throw nothingTaken(
          new DomainError(
            'LIMIT_EXCEEDED',
            `at most ${sale.perUserLimit} units per buyer; you hold ${reserved.held}`,
          ),
        );
      case 'notStarted':
        throw nothingTaken(notActive('the sale has not started'));
      case 'ended':
        throw nothingTaken(notActive('the sale has ended'));
      case 'noSale':
        if (Date.now() < Date.parse(sale.startsAt)) throw nothingTaken(notActive('the sale has not started'));
        if (Date.now() >= Date.parse(sale.endsAt)) throw nothingTaken(notActive('the sale has ended'));
        // Open in MySQL but not in Redis: Redis lost it (rebuild-stock) or it was never warmed.
        log.error({ saleId: req.saleId }, 'open sale has no stock in Redis; run rebuild-stock');
        throw nothingTaken(dependencyUnavailable('the sale’s stock'));
    }
    await deps.pauseAfterReserve?.(req.orderId);

    const placedAt = new Date().toISOString();
    const event: Message = OrderPlaced.create(
      {
        orderId: req.orderId,
        saleId: req.saleId,
        userId: req.userId,
        quantity: req.quantity,
        priceCents: sale.priceCents,
        placedAt,
      },
      { key: req.orderId, subject: req.orderId, source: EVENT_SOURCE, headers: req.headers },
    );
    try {
      // A timer cleared once the ack came (withTimeout), not `AbortSignal.timeout`: that timer
      // lives its whole budget and, created in the request's async context, kept every request
      // (its request, reply and buffers) reachable for 2 s after its answer — ~2,600 requests,
      // tens of MiB of heap, at 1,300 placements/s (docs/benchmarks.md, M1 during P1).
      await withTimeout(
        (signal) => deps.publisher.publish(deps.ordersTopic, [event], { signal }),
        deps.publishTimeoutMs,
        { what: 'the order.placed ack' },
      );
    } catch (err) {
      // No ack within the budget: give the units back. A late ack then meets the released
      // reservation and order-writer rejects the order; a failed release is reconciliation's.
      const released = await stock.release(req.saleId, req.orderId).then(
        (r) => r.kind === 'released' || r.kind === 'alreadyReleased',
        (releaseErr: unknown) => {
          log.warn({ err: releaseErr, orderId: req.orderId }, 'release after failed publish failed');
          return false;
        },
      );
      const unavailable = dependencyUnavailable('the order log', err);
      throw released ? nothingTaken(unavailable) : unavailable;
    }
    // Acknowledged. Marking it published is what keeps reconciliation from releasing it (a
    // reservation still `reserved` RECONCILE_RESERVATION_AGE_MS after its reserve is released),
    // so only once it holds is the order accepted. Found released — this request stalled past that
    // age and reconciliation took the units back; the event meets the released reservation and the
    // order-writer rejects it — it took nothing: 503, never a 202 for an order that cannot be
    // stored live (G2). Not known (Redis failed): 503 with the orderId kept; the key's retry
    // reserves idempotently, publishes again (harmless) and marks it. `unknown` (Redis lost the
    // sale): accepted, MySQL's guard decides. The pending record only helps reads.
    const [marked, pending] = await Promise.allSettled([
      stock.markPublished(req.saleId, req.orderId),
      deps.pending.record({
        orderId: req.orderId,
        userId: req.userId,
        saleId: req.saleId,
        quantity: req.quantity,
        priceCents: sale.priceCents,
        placedAt,
      }),
    ]);
    if (marked.status === 'rejected') throw dependencyUnavailable('the stock store', marked.reason);
    if (marked.value === 'released') {
      log.warn({ orderId: req.orderId }, 'acknowledged after reconciliation released the reservation');
      throw nothingTaken(dependencyUnavailable('the order (its reservation was released before the ack)'));
    }
    if (pending.status === 'rejected')
      log.warn({ err: pending.reason as unknown, orderId: req.orderId }, 'post-ack bookkeeping failed');
    return { orderId: req.orderId, status: 'pending', saleId: req.saleId, quantity: req.quantity };
  };
}

export type Place = ReturnType<typeof createPlacement>;
