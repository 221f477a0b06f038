import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema.ts';
import type { TokenService } from '../src/modules/sessions/tokens.ts';
import { createBuyers, type Buyer } from './storm-buyers.ts';

/** POSTs `body` as `authorization`; throws on anything but 2xx (setup calls, not the crowd's). */
export async function postJson<T>(
  baseUrl: string,
  path: string,
  authorization: string,
  body: object,
): Promise<T> {
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** A product and a sale of it through the admin API: open from a second ago for an hour, or for an hour from `startsAt`. */
export async function createSale(
  baseUrl: string,
  admin: Buyer,
  sale: { units: number; perUserLimit: number; startsAt?: Date },
): Promise<{ productId: string; saleId: string }> {
  const startsAt = sale.startsAt ?? new Date(Date.now() - 1_000);
  const endsAt = new Date((sale.startsAt?.getTime() ?? Date.now()) + 3_600_000);
  const product = await postJson<{ id: string }>(baseUrl, '/v1/admin/products', admin.authorization, {
    name: 'Storm phone',
    priceCents: 49_900,
  });
  const created = await postJson<{ id: string }>(baseUrl, '/v1/admin/flash-sales', admin.authorization, {
    productId: product.id,
    stock: sale.units,
    priceCents: 19_900,
    startsAt: startsAt.toISOString(),
    endsAt: endsAt.toISOString(),
    perUserLimit: sale.perUserLimit,
  });
  return { productId: product.id, saleId: created.id };
}

export interface Shop {
  admin: Buyer;
  productId: string;
  saleId: string;
  buyers: Buyer[];
}

/** An admin, an open sale of `units` (created through the API) and `buyers` buyers with tokens. */
export async function openShop(opts: {
  baseUrl: string;
  db: Kysely<Database>;
  tokens: TokenService;
  units: number;
  perUserLimit: number;
  buyers: number;
}): Promise<Shop> {
  const [admin] = await createBuyers(opts.db, opts.tokens, 1, 'admin');
  if (!admin) throw new Error('no admin created');
  const sale = await createSale(opts.baseUrl, admin, opts);
  const buyers = await createBuyers(opts.db, opts.tokens, opts.buyers);
  return { admin, ...sale, buyers };
}
