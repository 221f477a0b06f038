import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Database, ProductsTable } from '../../db/schema.ts';

export interface Product {
  id: string;
  name: string;
  description?: string;
  priceCents: number;
  updatedAt: string;
}

export interface ProductRecord extends Product {
  version: number;
}

const toProduct = (r: Omit<ProductsTable, 'created_at'>): ProductRecord => ({
  id: r.id,
  name: r.name,
  ...(r.description === null ? {} : { description: r.description }),
  priceCents: Number(r.price_cents),
  updatedAt: r.updated_at.toISOString(),
  version: r.version,
});

const columns = ['id', 'name', 'description', 'price_cents', 'version', 'updated_at'] as const;

export function createProductsRepo(db: Kysely<Database>) {
  return {
    async findById(id: string): Promise<ProductRecord | undefined> {
      const row = await db.selectFrom('products').select(columns).where('id', '=', id).executeTakeFirst();
      return row && toProduct(row);
    },

    async create(
      trx: Transaction<Database>,
      input: { name: string; description?: string; priceCents: number },
    ): Promise<ProductRecord> {
      const now = new Date();
      const row = {
        id: uuidv7(),
        name: input.name,
        description: input.description ?? null,
        price_cents: input.priceCents,
        version: 1,
        created_at: now,
        updated_at: now,
      };
      await trx.insertInto('products').values(row).execute();
      return toProduct(row);
    },

    /**
     * Applies a partial change under a row lock and bumps the version; `description: null`
     * clears it. Returns undefined for an unknown id.
     */
    async update(
      trx: Transaction<Database>,
      id: string,
      change: { name?: string; description?: string | null; priceCents?: number },
    ): Promise<ProductRecord | undefined> {
      const current = await trx
        .selectFrom('products')
        .select(columns)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!current) return undefined;
      const next = {
        ...current,
        ...(change.name === undefined ? {} : { name: change.name }),
        ...(change.description === undefined ? {} : { description: change.description }),
        ...(change.priceCents === undefined ? {} : { price_cents: change.priceCents }),
        version: current.version + 1,
        updated_at: new Date(),
      };
      await trx
        .updateTable('products')
        .set({
          name: next.name,
          description: next.description,
          price_cents: next.price_cents,
          version: sql`version + 1`,
          updated_at: next.updated_at,
        })
        .where('id', '=', id)
        .execute();
      return toProduct(next);
    },

    /** Every product id, in batches: the source of the Bloom filter's rebuild. */
    async *allIds(batchSize = 5000): AsyncIterable<string> {
      let after = '';
      for (;;) {
        const rows = await db
          .selectFrom('products')
          .select('id')
          .where('id', '>', after)
          .orderBy('id')
          .limit(batchSize)
          .execute();
        for (const r of rows) yield r.id;
        const last = rows.at(-1);
        if (!last || rows.length < batchSize) return;
        after = last.id;
      }
    },
  };
}

export type ProductsRepo = ReturnType<typeof createProductsRepo>;
