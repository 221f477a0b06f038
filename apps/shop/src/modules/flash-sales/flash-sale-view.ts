import type { CacheNamespace } from '@surge/cache';
import { dependencyUnavailable } from '../../errors.ts';
import type { FlashSaleRecord, FlashSalesRepo } from './flash-sales-repo.ts';
import type { RemainingSnapshots } from './remaining-snapshots.ts';

export type SaleStatus = 'scheduled' | 'active' | 'sold_out' | 'ended';

/** What clients see of a sale (docs/api.md). */
export interface FlashSaleView {
  id: string;
  productId: string;
  stock: number;
  priceCents: number;
  startsAt: string;
  endsAt: string;
  perUserLimit: number;
  /** Units left in Redis (at most ~250 ms old per instance); null while Redis cannot say. */
  remaining: number | null;
  status: SaleStatus;
}

/**
 * Status from time and stock. With `remaining` unknown (Redis down) the last count MySQL had
 * decides sold out, so a sale is not shown as open only because Redis is away.
 */
export function saleStatus(sale: FlashSaleRecord, remaining: number | null, nowMs: number): SaleStatus {
  if (nowMs < Date.parse(sale.startsAt)) return 'scheduled';
  if (nowMs >= Date.parse(sale.endsAt)) return 'ended';
  const soldOut = remaining === null ? sale.sold >= sale.stock : remaining <= 0;
  return soldOut ? 'sold_out' : 'active';
}

export function toView(sale: FlashSaleRecord, remaining: number | null, nowMs: number): FlashSaleView {
  return {
    id: sale.id,
    productId: sale.productId,
    stock: sale.stock,
    priceCents: sale.priceCents,
    startsAt: sale.startsAt,
    endsAt: sale.endsAt,
    perUserLimit: sale.perUserLimit,
    remaining,
    status: saleStatus(sale, remaining, nowMs),
  };
}

/**
 * Sales through the two-tier cache (the row changes rarely: `flash_sale.changed` invalidates it)
 * plus each instance's remaining-units snapshot. No dependency reachable and nothing cached → 503.
 */
export function createFlashSaleReader(opts: {
  sales: CacheNamespace;
  repo: FlashSalesRepo;
  snapshots: RemainingSnapshots;
  now?: () => number;
}) {
  const now = opts.now ?? Date.now;
  return {
    /** The sale's MySQL record, cached. */
    async record(id: string): Promise<FlashSaleRecord | undefined> {
      try {
        return await opts.sales.getOrLoad<FlashSaleRecord>(id, () => opts.repo.findById(id));
      } catch (err) {
        throw dependencyUnavailable('the flash-sale store', err);
      }
    },
    async get(id: string): Promise<FlashSaleView | undefined> {
      const sale = await this.record(id);
      if (!sale) return undefined;
      return toView(sale, await opts.snapshots.get(id), now());
    },
    async views(sales: readonly FlashSaleRecord[]): Promise<FlashSaleView[]> {
      const remaining = await Promise.all(sales.map((s) => opts.snapshots.get(s.id)));
      const at = now();
      return sales.map((s, i) => toView(s, remaining[i] ?? null, at));
    },
    invalidate: (id: string) => opts.sales.invalidate(id),
  };
}

export type FlashSaleReader = ReturnType<typeof createFlashSaleReader>;
