import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ProblemSchema } from './openapi.ts';

export interface ApiDocsOptions {
  /** The URL clients reach the API at, the document's only server (`/`: wherever it is served). */
  publicUrl: string;
}

const TAGS = [
  { name: 'users', description: 'Registration, the caller’s account and notifications' },
  { name: 'sessions', description: 'Log in, refresh-token rotation, log out' },
  { name: 'catalog', description: 'Products, read through the two-tier cache' },
  { name: 'flash-sales', description: 'Flash sales and their remaining units' },
  { name: 'orders', description: 'The caller’s orders and their payment' },
  { name: 'leaderboards', description: 'Top products and buyers by what was paid for' },
  {
    name: 'admin',
    description: 'Catalog, flash sales, leaderboards, breakers and dead letters; requires the admin role',
  },
];

const DESCRIPTION = `Flash-sale and order backend.

Every error is \`application/problem+json\` (RFC 9457) with a stable \`code\`; each operation lists
the codes it can answer. Every response carries \`x-request-id\` (also the problem's \`instance\`).
Beyond the operations listed: an unknown path is 404 \`NOT_FOUND\`, a known path with another
method 405 \`METHOD_NOT_ALLOWED\` with \`Allow\`, a path that is not valid percent-encoding
400 \`BAD_URL\`, and a path segment longer than 100 characters 414 \`URI_TOO_LONG\`, whatever route
it names.`;

/**
 * The OpenAPI 3.0 document at `/docs/json` (UI at `/docs`), built by @fastify/swagger from the
 * route schemas. Each operation declares its own `operationId`, tags, `security` (`[]` when
 * public) and problem responses (openapi.ts); `openapi.int.test.ts` lints the result with
 * Redocly's recommended rules. Registers the shared `Problem` schema for the whole app.
 */
export const apiDocs = fp(
  async (app: FastifyInstance, opts: ApiDocsOptions) => {
    if (!opts.publicUrl.startsWith('/') && !/^https?:\/\//.test(opts.publicUrl)) {
      throw new Error(`apiDocs: publicUrl must be a path or an http(s) URL, got ${opts.publicUrl}`);
    }
    app.addSchema(ProblemSchema);
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Surge API',
          version: '1.0.0',
          description: DESCRIPTION,
          license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
        },
        servers: [{ url: opts.publicUrl }],
        tags: TAGS,
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
      // Shared schemas keep their $id as their component name (`Problem`, not `def-0`).
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) =>
          typeof json.$id === 'string' ? json.$id : `def-${i}`,
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'surge-api-docs' },
);
