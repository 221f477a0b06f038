import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedStock, stockDrift } from './stock-drift.ts';

const o = (orderId: string, quantity: number) => ({ orderId, quantity });

describe('stock drift: expected remaining = stock − units held (MySQL live ∪ Redis live, once each)', () => {
  it('rebuild-stock (no Redis reservations): stock − MySQL live units', () => {
    assert.deepEqual(expectedStock(10, [o('a', 2), o('b', 3)]), {
      remaining: 5,
      heldUnits: 5,
      inFlightUnits: 0,
    });
  });

  it('counts an order both stores hold once; a reservation MySQL lacks is in flight', () => {
    const e = expectedStock(10, [o('a', 2)], [o('a', 2), o('b', 1)]);
    assert.deepEqual(e, { remaining: 7, heldUnits: 3, inFlightUnits: 1 });
    assert.equal(stockDrift(e, 7), 0);
  });

  it('missing stock key: the whole expected remaining; extra Redis units: negative', () => {
    const e = expectedStock(10, [o('a', 4)]);
    assert.equal(stockDrift(e, undefined), 6);
    assert.equal(stockDrift(e, 9), -3);
  });
});
