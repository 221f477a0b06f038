import { randomBytes } from 'node:crypto';
import { GatewayError } from './gateway-errors.ts';
import { tokenOutcome } from './test-tokens.ts';

export interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  currency: string;
  orderId: string;
  status: 'succeeded' | 'failed';
  paid: boolean;
  brand: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  amountRefunded: number;
  refunded: boolean;
  refunds: string[];
  created: string;
}

export interface Refund {
  id: string;
  object: 'refund';
  charge: string;
  amount: number;
  currency: string;
  status: 'succeeded';
  created: string;
}

export interface LedgerStats {
  charges: { succeeded: number; failed: number };
  refunds: number;
  amountCharged: number;
  amountRefunded: number;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `prefix` + 24 random base-62 characters, as processors name their objects. */
export function objectId(prefix: string): string {
  const bytes = randomBytes(24);
  let s = prefix;
  for (const b of bytes) s += BASE62[b % 62];
  return s;
}

/**
 * The processor's books, in memory: every charge (succeeded or declined) and refund. Declines
 * are recorded too, as a processor does, so a test can count attempts. Bounded: past
 * `maxRecords` charges the oldest are forgotten (a simulator, not a bank).
 */
export function createLedger(opts: { maxRecords?: number; now?: () => Date } = {}) {
  const maxRecords = opts.maxRecords ?? 1_000_000;
  const now = opts.now ?? (() => new Date());
  const charges = new Map<string, Charge>();
  const byOrder = new Map<string, string[]>();
  const refunds = new Map<string, Refund>();
  let stats: LedgerStats = emptyStats();

  function remember(c: Charge) {
    charges.set(c.id, c);
    const ids = byOrder.get(c.orderId);
    if (ids) ids.push(c.id);
    else byOrder.set(c.orderId, [c.id]);
    while (charges.size > maxRecords) {
      const oldest = charges.values().next().value;
      if (!oldest) break;
      charges.delete(oldest.id);
      for (const r of oldest.refunds) refunds.delete(r);
      const rest = (byOrder.get(oldest.orderId) ?? []).filter((id) => id !== oldest.id);
      if (rest.length > 0) byOrder.set(oldest.orderId, rest);
      else byOrder.delete(oldest.orderId);
    }
  }

  return {
    /** Charges `amount` to the card behind `token`; a decline is recorded and thrown as a 402. */
    charge(req: { amount: number; currency: string; token: string; orderId: string }): Charge {
      const outcome = tokenOutcome(req.token);
      if (!outcome) {
        throw new GatewayError(
          400,
          'invalid_request_error',
          'resource_missing',
          `No such token: '${req.token}'`,
          {
            param: 'token',
          },
        );
      }
      const base = {
        object: 'charge' as const,
        amount: req.amount,
        currency: req.currency,
        orderId: req.orderId,
        amountRefunded: 0,
        refunded: false,
        refunds: [],
        created: now().toISOString(),
      };
      if (outcome.kind === 'declined') {
        const c: Charge = {
          ...base,
          id: objectId('ch_'),
          status: 'failed',
          paid: false,
          brand: null,
          failureCode: 'card_declined',
          failureMessage: outcome.message,
        };
        remember(c);
        stats.charges.failed++;
        throw new GatewayError(402, 'card_error', 'card_declined', outcome.message, {
          decline_code: outcome.declineCode,
          charge: c.id,
        });
      }
      const c: Charge = {
        ...base,
        id: objectId('ch_'),
        status: 'succeeded',
        paid: true,
        brand: outcome.brand,
        failureCode: null,
        failureMessage: null,
      };
      remember(c);
      stats.charges.succeeded++;
      stats.amountCharged += c.amount;
      return c;
    },

    /** Refunds `amount` (default: what is left) of a succeeded charge. */
    refund(req: { charge: string; amount?: number | undefined }): Refund {
      const c = charges.get(req.charge);
      if (!c) {
        throw new GatewayError(
          404,
          'invalid_request_error',
          'resource_missing',
          `No such charge: '${req.charge}'`,
          {
            param: 'charge',
          },
        );
      }
      if (c.status !== 'succeeded') {
        throw new GatewayError(
          400,
          'invalid_request_error',
          'charge_not_refundable',
          'A failed charge cannot be refunded.',
        );
      }
      const left = c.amount - c.amountRefunded;
      if (left === 0) {
        throw new GatewayError(
          400,
          'invalid_request_error',
          'charge_already_refunded',
          `Charge ${c.id} has already been refunded.`,
        );
      }
      const amount = req.amount ?? left;
      if (amount > left) {
        throw new GatewayError(
          400,
          'invalid_request_error',
          'amount_too_large',
          `Refund amount (${amount}) is greater than the unrefunded amount (${left}).`,
          { param: 'amount' },
        );
      }
      const r: Refund = {
        id: objectId('re_'),
        object: 'refund',
        charge: c.id,
        amount,
        currency: c.currency,
        status: 'succeeded',
        created: now().toISOString(),
      };
      refunds.set(r.id, r);
      c.amountRefunded += amount;
      c.refunded = c.amountRefunded === c.amount;
      c.refunds.push(r.id);
      stats.refunds++;
      stats.amountRefunded += amount;
      return r;
    },

    getCharge: (id: string): Charge | undefined => charges.get(id),
    getRefund: (id: string): Refund | undefined => refunds.get(id),
    /** Every charge recorded for `orderId`, oldest first (declines included). */
    chargesOfOrder: (orderId: string): Charge[] =>
      (byOrder.get(orderId) ?? []).map((id) => charges.get(id)).filter((c): c is Charge => c !== undefined),
    stats: (): LedgerStats => structuredClone(stats),
    clear() {
      charges.clear();
      byOrder.clear();
      refunds.clear();
      stats = emptyStats();
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;

function emptyStats(): LedgerStats {
  return { charges: { succeeded: 0, failed: 0 }, refunds: 0, amountCharged: 0, amountRefunded: 0 };
}
