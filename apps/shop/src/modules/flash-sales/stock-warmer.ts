import type { Log } from '@surge/resilience';
import { startPeriodicJob } from '../../workers/periodic-job.ts';
import type { FlashSaleRecord, FlashSalesRepo } from './flash-sales-repo.ts';

/**
 * Puts the stock of every sale that is open, or opens within `horizonMs`, into Redis, every
 * `intervalMs` (jittered). Idempotent (`SET NX` in warm-stock-2.lua), so every worker may run it:
 * it repairs a creation whose warm-up failed and a sale that Redis lost before it opened. A sale
 * Redis lost while open is rebuilt by an operator (`rebuild-stock`), never here: the warmer
 * cannot know what was sold meanwhile.
 */
export function startStockWarmer(opts: {
  repo: FlashSalesRepo;
  warm: (sale: FlashSaleRecord) => Promise<{ warmed: boolean }>;
  intervalMs: number;
  horizonMs: number;
  log: Log;
}): { stop(): Promise<void> } {
  return startPeriodicJob({
    name: 'stock-warmer',
    intervalMs: opts.intervalMs,
    log: opts.log,
    async round(isStopped) {
      const sales = await opts.repo.upcoming(new Date(), opts.horizonMs);
      for (const sale of sales) {
        if (isStopped()) return;
        const { warmed } = await opts.warm(sale);
        if (warmed) opts.log.info({ saleId: sale.id, stock: sale.stock }, 'sale stock warmed into Redis');
      }
    },
  });
}
