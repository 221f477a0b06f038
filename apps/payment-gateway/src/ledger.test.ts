import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from './gateway-errors.ts';
import { requestFingerprint } from './idempotency-keys.ts';
import { createLedger } from './ledger.ts';

describe('ledger', () => {
  it('forgets the oldest charges past maxRecords, with their order index', () => {
    const ledger = createLedger({ maxRecords: 2 });
    const a = ledger.charge({ amount: 1, currency: 'usd', token: 'tok_visa', orderId: 'o1' });
    ledger.charge({ amount: 2, currency: 'usd', token: 'tok_visa', orderId: 'o2' });
    ledger.charge({ amount: 3, currency: 'usd', token: 'tok_visa', orderId: 'o3' });
    assert.equal(ledger.getCharge(a.id), undefined);
    assert.deepEqual(ledger.chargesOfOrder('o1'), []);
    assert.equal(ledger.chargesOfOrder('o3').length, 1);
    assert.equal(ledger.stats().amountCharged, 6, 'the totals keep counting');
  });

  it('a decline throws a 402 naming the recorded failed charge', () => {
    const ledger = createLedger();
    const err = (() => {
      try {
        ledger.charge({ amount: 5, currency: 'eur', token: 'tok_insufficientFunds', orderId: 'o' });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof GatewayError);
    assert.equal(err.status, 402);
    assert.equal(ledger.getCharge(err.extra.charge ?? '')?.status, 'failed');
    assert.deepEqual(ledger.stats().charges, { succeeded: 0, failed: 1 });
  });

  it('fingerprints ignore key order and undefined members, not values', () => {
    const f = (b: unknown) => requestFingerprint('post', '/charges', b);
    assert.equal(f({ a: 1, b: { c: 2, d: 3 } }), f({ b: { d: 3, c: 2 }, a: 1, e: undefined }));
    assert.notEqual(f({ a: 1 }), f({ a: '1' }));
    assert.notEqual(requestFingerprint('POST', '/charges', {}), requestFingerprint('POST', '/refunds', {}));
  });
});
