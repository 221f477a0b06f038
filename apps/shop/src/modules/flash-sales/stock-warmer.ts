import { jitter, type Log } from '@surge/resilience';
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
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const lost = new Set<string>();

  const round = async () => {
    const sales = await opts.repo.upcoming(new Date(), opts.horizonMs);
    for (const sale of sales) {
      if (stopped) return;
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
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round()
        .catch((err: unknown) => opts.log.warn({ err }, 'stock warm-up round failed; next round retries'))
        .finally(() => schedule(jitter(opts.intervalMs, 0.1)));
    }, ms);
    timer.unref();
  };
  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
