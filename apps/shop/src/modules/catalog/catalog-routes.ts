import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import { Type } from 'typebox';
import type { Outbox } from '@surge/messaging';
import type { Database } from '../../db/schema.ts';
import { EVENT_SOURCE } from '../../context.ts';
import { ProductChanged } from './catalog-events.ts';
import { ADMIN_ONLY, DEPENDENCY_DOWN, VALIDATED_BODY, PATH_PARAMS, problems } from '../../http/openapi.ts';
import { UUID } from '../../http/pagination.ts';
import { notFound } from '../../errors.ts';
import { traceHeaders } from '../../http/trace.ts';
import type { Product, ProductRecord, ProductsRepo } from './products-repo.ts';
import type { ProductReader } from './product-reader.ts';

const ProductSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.Optional(Type.String()),
  priceCents: Type.Integer({ minimum: 0 }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Description = Type.String({ maxLength: 2000 });
const PriceCents = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const IdParams = Type.Object({ id: Type.String({ pattern: UUID.source }) });

export const catalogRoutes: FastifyPluginAsyncTypebox<{
  db: Kysely<Database>;
  products: ProductsRepo;
  reader: ProductReader;
  outbox: Outbox;
  topic: (base: string) => string;
}> = async (app, { db, products, reader, outbox, topic }) => {
  const admin = [app.authenticate, app.requireRole('admin')];
  // A hot product is the same frozen object on every read (the cache's hot tier, ADR 0018): its
  // JSON is rendered by the route's serializer once, not per request.
  const rendered = new WeakMap<object, string>();
  const sendProduct = (reply: FastifyReply, product: Product): void => {
    let body = rendered.get(product);
    if (body === undefined) {
      body = reply.serialize(product) as string;
      if (Object.isFrozen(product)) rendered.set(product, body);
    }
    // Already JSON: Fastify sends a string as it is.
    void reply.type('application/json; charset=utf-8').send(body);
  };

  /** The change and its `product.changed` commit together (outbox). */
  const publishChange = (trx: Transaction<Database>, p: ProductRecord, headers: Record<string, string>) =>
    outbox.add<Database>(
      trx,
      topic(ProductChanged.topic),
      ProductChanged.create(
        {
          productId: p.id,
          name: p.name,
          description: p.description ?? null,
          priceCents: p.priceCents,
          version: p.version,
          updatedAt: p.updatedAt,
        },
        { key: p.id, subject: p.id, source: EVENT_SOURCE, headers },
      ),
    );

  app.get(
    '/v1/products/:id',
    {
      // A miss loads through the cache once for every concurrent reader (one fill per key): it
      // must not carry, and be aborted with, the signal of whichever client asked first.
      config: { requestScope: false },
      schema: {
        operationId: 'getProduct',
        tags: ['catalog'],
        summary: 'A product (served from the cache)',
        security: [],
        params: IdParams,
        response: {
          200: ProductSchema,
          ...problems(PATH_PARAMS, { 404: ['NOT_FOUND'] }, DEPENDENCY_DOWN),
        },
      },
    },
    (request, reply) => {
      // A hot product is answered without a promise: on the hottest route of a flash sale an
      // await costs more than the lookup (docs/benchmarks.md, P2).
      const hot = reader.peek(request.params.id);
      if (hot !== undefined) return sendProduct(reply, hot);
      return reader.get(request.params.id).then((product) => {
        if (!product) throw notFound('product');
        sendProduct(reply, product);
      });
    },
  );

  app.post(
    '/v1/admin/products',
    {
      onRequest: admin,
      schema: {
        operationId: 'createProduct',
        tags: ['admin'],
        summary: 'Create a product',
        security: [{ bearer: [] }],
        body: Type.Object(
          { name: Name, description: Type.Optional(Description), priceCents: PriceCents },
          { additionalProperties: false },
        ),
        response: { 201: ProductSchema, ...problems(VALIDATED_BODY, ADMIN_ONLY, DEPENDENCY_DOWN) },
      },
    },
    async (request, reply) => {
      const headers = traceHeaders(request);
      const product = await db.transaction().execute(async (trx) => {
        const created = await products.create(trx, { ...request.body, name: request.body.name.trim() });
        await publishChange(trx, created, headers);
        return created;
      });
      outbox.notify();
      // Committed: the answer is 201 whatever Redis does. If the filter or cache cannot be told
      // now, the product.changed consumer tells them once Redis is back (it retries).
      await reader
        .added(product.id)
        .catch((err: unknown) => request.log.warn({ err }, 'cache not told of new product'));
      return reply.code(201).header('location', `/v1/products/${product.id}`).send(product);
    },
  );

  app.patch(
    '/v1/admin/products/:id',
    {
      onRequest: admin,
      schema: {
        operationId: 'updateProduct',
        tags: ['admin'],
        summary: 'Change a product (partial); description null clears it',
        security: [{ bearer: [] }],
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            description: Type.Optional(Type.Union([Description, Type.Null()])),
            priceCents: Type.Optional(PriceCents),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: {
          200: ProductSchema,
          ...problems(PATH_PARAMS, VALIDATED_BODY, ADMIN_ONLY, { 404: ['NOT_FOUND'] }, DEPENDENCY_DOWN),
        },
      },
    },
    async (request) => {
      const headers = traceHeaders(request);
      const { name, ...rest } = request.body;
      const product = await db.transaction().execute(async (trx) => {
        const updated = await products.update(trx, request.params.id, {
          ...rest,
          ...(name === undefined ? {} : { name: name.trim() }),
        });
        if (updated) await publishChange(trx, updated, headers);
        return updated;
      });
      if (!product) throw notFound('product');
      outbox.notify();
      // This instance (and, through the cache bus, every other) drops the old value now; the
      // product.changed consumer does the same for instances that missed the bus message.
      await reader
        .invalidate(product.id)
        .catch((err: unknown) => request.log.warn({ err }, 'cache not invalidated; the consumer will'));
      return product;
    },
  );
  return Promise.resolve();
};
