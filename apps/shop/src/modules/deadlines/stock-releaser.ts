import type { Handler } from '@surge/messaging';
import type { Log } from '@surge/resilience';
import type { SaleStock } from '../flash-sales/sale-stock.ts';
import { OrderRejected } from '../orders/order-events.ts';
import type { CancellationsRepo } from './cancellations-repo.ts';
import { OrderCancelled } from './deadline-events.ts';

/**
 * stock-releaser: every unit of a cancelled or rejected order goes back exactly once, whatever
 * redeliveries and crashes happen. Redis first (`release`: the reservation's state says whether it
 * was released already, so a second release returns nothing), then — for a cancelled order,
 * whose units `sold` counted — MySQL (`units_returned_at` set in the same transaction as the
 * `sold` decrement). A crash between the two: the redelivery skips Redis and finishes MySQL.
 * A rejected order never counted in `sold`: only Redis (the order-writer released it already;
 * this repeats it harmlessly).
 */
export function stockReleaser(deps: { stock: SaleStock; repo: CancellationsRepo; log: Log }): Handler {
  return async (delivery) => {
    if (delivery.type === OrderCancelled.type) {
      const o = OrderCancelled.parse(delivery.data);
      await deps.stock.release(o.saleId, o.orderId);
      const { result, drift } = await deps.repo.returnUnits(o.orderId);
      if (result === 'not-cancelled') {
        deps.log.error(
          { orderId: o.orderId },
          'order.cancelled for an order MySQL does not hold as cancelled',
        );
      }
      if (drift) {
        deps.log.error(
          { orderId: o.orderId, saleId: o.saleId },
          'sold was below the returned quantity: drift',
        );
      }
      return;
    }
    if (delivery.type === OrderRejected.type) {
      const o = OrderRejected.parse(delivery.data);
      await deps.stock.release(o.saleId, o.orderId);
    }
  };
}
