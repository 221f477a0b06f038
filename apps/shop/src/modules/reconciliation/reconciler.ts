import type { Redis } from 'ioredis';
import type { Counter, Gauge } from 'prom-client';
import { isLockBusyError, type FencedLocks } from '@surge/redis-kit';
import { isTransient, type Log } from '@surge/resilience';
import { reconcileSale, type ReconcileSaleDeps, type SaleReconciliation } from './reconcile-sale.ts';

/** How long a sale's last report is kept in Redis. */
const REPORT_TTL_MS = 86_400_000;
/** Beside the sale's other keys (same hash tag; see sale-stock.ts `saleKeys`). */
const reportKey = (saleId: string) => `surge:{sale:${saleId}}:reconciliation`;

export interface Reconciler {
  /**
   * One round over every active sale, under the lock. `undefined` when another instance holds it
   * (this one then stops exporting the drift gauge: only the holder's values are current).
   */
  round(): Promise<SaleReconciliation[] | undefined>;
  /** The last round's report of a sale (any instance), or `undefined`. */
  last(saleId: string): Promise<SaleReconciliation | undefined>;
}

/**
 * Reconciliation (SPEC §2, order pipeline step 7; issue 10). One instance at a time: the redis-kit
 * fenced lock. Its writes are Redis scripts that are atomic, idempotent and refuse anything
 * published (release-4.lua, mode `unpublished`), and it writes nothing to MySQL: a holder that lost
 * its lock while paused can only repeat a release (ALREADY_RELEASED), so no fence is checked; the
 * lock keeps two instances from doing the work twice and from exporting two gauges.
 */
export function createReconciler(
  deps: ReconcileSaleDeps & {
    /** Sales over for less than this are still reconciled (late reservations, cancellations). */
    endedWithinMs: number;
    locks: FencedLocks;
    lockName: string;
    redis: Redis;
    drift: Gauge<'sale'>;
    releasedTotal: Counter;
    log: Log;
  },
): Reconciler {
  let exported = new Set<string>();

  async function work(signal: AbortSignal): Promise<SaleReconciliation[]> {
    const sales = await deps.repo.activeSales(new Date(), deps.endedWithinMs);
    const reports: SaleReconciliation[] = [];
    for (const sale of sales) {
      signal.throwIfAborted();
      let report: SaleReconciliation;
      try {
        report = await reconcileSale(deps, sale, signal);
      } catch (err) {
        // Redis or MySQL down, or the lock lost: the round stops. One sale whose state cannot be
        // read (an unreadable record) must not hold up the others.
        if (isTransient(err) || signal.aborted) throw err;
        deps.log.error({ err, saleId: sale.id }, 'reconciliation of a sale failed; skipped');
        continue;
      }
      reports.push(report);
      deps.drift.set({ sale: sale.id }, report.drift);
      if (report.released > 0) deps.releasedTotal.inc(report.released);
      await deps.redis.set(reportKey(sale.id), JSON.stringify(report), 'PX', REPORT_TTL_MS);
    }
    const now = new Set(reports.map((r) => r.saleId));
    for (const sale of exported) if (!now.has(sale)) deps.drift.remove({ sale });
    exported = now;
    return reports;
  }

  return {
    async round() {
      try {
        return await deps.locks.withLock(deps.lockName, (signal) => work(signal), { waitMs: 0 });
      } catch (err) {
        if (!isLockBusyError(err)) throw err;
        deps.drift.reset();
        exported = new Set();
        return undefined;
      }
    },

    async last(saleId) {
      const json = await deps.redis.get(reportKey(saleId));
      return json === null ? undefined : (JSON.parse(json) as SaleReconciliation);
    },
  };
}
