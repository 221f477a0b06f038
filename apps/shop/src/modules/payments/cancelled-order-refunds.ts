import type { Handler } from '@surge/messaging';
import type { Log } from '@surge/resilience';
import { OrderCancelled } from '../deadlines/deadline-events.ts';
import type { GatewayClient } from './gateway-client.ts';
import type { PaymentsRepo } from './payments-repo.ts';

/**
 * cancelled-order refunds: when an order is cancelled, every charge the gateway still holds for it
 * is refunded and recorded — also one that payment never recorded (the request died between the
 * gateway's answer and its own commit, or the client gave up on a 503 and never retried). A
 * cancelled order was never paid (the conditional update), so no kept charge is legitimate.
 * Idempotent: the refund key is the charge's; a refunded charge is skipped. Gateway down:
 * transient, retried.
 */
export function cancelledOrderRefunds(deps: {
  gateway: GatewayClient;
  payments: PaymentsRepo;
  log: Log;
}): Handler {
  return async (delivery, signal) => {
    if (delivery.type !== OrderCancelled.type) return;
    const order = OrderCancelled.parse(delivery.data);
    const charges = await deps.gateway.chargesOf(order.orderId, signal);
    for (const c of charges) {
      if (c.status !== 'succeeded' || c.amountRefundedCents >= c.amountCents) continue;
      const { refundId } = await deps.gateway.refund(c.chargeId, signal);
      await deps.payments.recordRefunded(
        {
          chargeId: c.chargeId,
          orderId: order.orderId,
          userId: order.userId,
          amountCents: c.amountCents,
          currency: c.currency,
        },
        refundId,
      );
      deps.log.warn({ orderId: order.orderId, chargeId: c.chargeId }, 'charge on a cancelled order refunded');
    }
  };
}
