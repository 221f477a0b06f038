import type { Kysely } from 'kysely';
import type { Outbox } from '@surge/messaging';
import type { Database } from '../../db/schema.ts';
import { EVENT_SOURCE } from '../../context.ts';
import { ProductChanged } from '../catalog/catalog-events.ts';
import type { ProductsRepo } from '../catalog/products-repo.ts';
import { FlashSaleChanged, flashSaleChanged } from './flash-sale-events.ts';
import type { FlashSaleRecord, FlashSalesRepo } from './flash-sales-repo.ts';

/**
 * The dev profile's sample (README walk-through): a product and a sale of 1,000 units, open for
 * an hour from now, created through the same repositories and outbox events as the admin API.
 */
export async function createDemoSale(deps: {
  db: Kysely<Database>;
  products: ProductsRepo;
  sales: FlashSalesRepo;
  outbox: Outbox;
  topic: (base: string) => string;
  warm: (sale: FlashSaleRecord) => Promise<unknown>;
}): Promise<{ productId: string; sale: FlashSaleRecord }> {
  const { products, sales, outbox, topic } = deps;
  const sale = await deps.db.transaction().execute(async (trx) => {
    const product = await products.create(trx, { name: 'Surge demo phone', priceCents: 59_900 });
    await outbox.add<Database>(
      trx,
      topic(ProductChanged.topic),
      ProductChanged.create(
        {
          productId: product.id,
          name: product.name,
          description: null,
          priceCents: product.priceCents,
          version: 1,
          updatedAt: product.updatedAt,
        },
        { key: product.id, subject: product.id, source: EVENT_SOURCE },
      ),
    );
    const now = Date.now();
    const created = await sales.create(trx, {
      productId: product.id,
      stock: 1_000,
      priceCents: 19_900,
      startsAt: new Date(now),
      endsAt: new Date(now + 3_600_000),
      perUserLimit: 2,
    });
    await outbox.add<Database>(trx, topic(FlashSaleChanged.topic), flashSaleChanged(created));
    return created;
  });
  outbox.notify();
  await deps.warm(sale);
  return { productId: sale.productId, sale };
}
