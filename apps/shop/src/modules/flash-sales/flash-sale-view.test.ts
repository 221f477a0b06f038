import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { saleStatus } from './flash-sale-view.ts';
import type { FlashSaleRecord } from './flash-sales-repo.ts';

const sale: FlashSaleRecord = {
  id: 's',
  productId: 'p',
  stock: 10,
  sold: 3,
  priceCents: 100,
  startsAt: '2026-12-01T10:00:00.000Z',
  endsAt: '2026-12-01T11:00:00.000Z',
  perUserLimit: 2,
  version: 1,
};
const at = (iso: string) => Date.parse(iso);

describe('sale status from time and stock', () => {
  it('is scheduled before the start and ended from the end on, whatever the stock', () => {
    assert.equal(saleStatus(sale, 10, at('2026-12-01T09:59:59.999Z')), 'scheduled');
    assert.equal(saleStatus(sale, 0, at('2026-12-01T11:00:00.000Z')), 'ended');
  });
  it('is active while units remain and sold out at zero', () => {
    assert.equal(saleStatus(sale, 1, at('2026-12-01T10:00:00.000Z')), 'active');
    assert.equal(saleStatus(sale, 0, at('2026-12-01T10:30:00.000Z')), 'sold_out');
  });
  it('falls back to the MySQL count when Redis cannot say', () => {
    assert.equal(saleStatus(sale, null, at('2026-12-01T10:30:00.000Z')), 'active');
    assert.equal(saleStatus({ ...sale, sold: 10 }, null, at('2026-12-01T10:30:00.000Z')), 'sold_out');
  });
});
