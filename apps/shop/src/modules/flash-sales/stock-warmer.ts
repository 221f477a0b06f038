import type { Log } from '@surge/resilience';
import { startPeriodicJob } from '../../workers/periodic-job.ts';
import type { FlashSaleRecord, FlashSalesRepo } from './flash-sales-repo.ts';
import type { WarmResult } from './sale-stock.ts';

/**
 * Puts the stock of every sale that is open, or opens within `horizonMs`, into Redis, every
 * `intervalMs` (jittered). Idempotent (`SET NX` in warm-stock-2.lua), so every worker may run it:
 * it repairs a creation whose warm-up failed and a sale that Redis lost before it opened. A sale
 * Redis lost while open is rebuilt by an operator (`rebuild-stock`), never here: the warmer
 * cannot know what was sold meanwhile (`warm` answers `lost`, checked on Redis' clock in
 * warm-stock-2.lua; before, the warmer put the full stock back into a sale that had sold units).
 * A lost sale is logged once, until it has stock again.
 */
export function startStockWarmer(opts: {
  repo: FlashSalesRepo;
  warm: (sale: FlashSaleRecord) => Promise<WarmResult>;
  intervalMs: number;
  horizonMs: number;
  log: Log;
}): { stop(): Promise<void> } {
  const lost = new Set<string>();
  return startPeriodicJob({
    name: 'stock-warmer',
    intervalMs: opts.intervalMs,
    log: opts.log,
    async round(isStopped) {
      const sales = await opts.repo.upcoming(new Date(), opts.horizonMs);
      for (const sale of sales) {
        if (isStopped()) return;
        const result = await opts.warm(sale);
        if ('lost' in result) {
          if (!lost.has(sale.id)) {
            opts.log.error({ saleId: sale.id }, 'open sale has no stock in Redis; run rebuild-stock');
            lost.add(sale.id);
          }
          continue;
        }
        lost.delete(sale.id);
        if (result.warmed)
          opts.log.info({ saleId: sale.id, stock: sale.stock }, 'sale stock warmed into Redis');
      }
    },
  });
}
