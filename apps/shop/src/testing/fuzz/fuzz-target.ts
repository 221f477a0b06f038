import fc from 'fast-check';
import { v4 as uuidv4 } from 'uuid';
import { encodeCursor } from '../../http/pagination.ts';
import { scratchDatabase } from '../scratch-database.ts';
import { startTestApp, type TestApp } from '../test-app.ts';
import { fuzzCredentials, type FuzzCredentials } from './credentials.ts';
import { urlOf, type FuzzRequest } from './fuzz-request.ts';
import type { SeenResponse } from './g9-response.ts';
import {
  operationsOf,
  type FuzzHints,
  type FuzzOperation,
  type OpenApiDocument,
} from './openapi-requests.ts';

export interface FuzzTarget {
  t: TestApp;
  /** `MYSQL_URL` of the target's own database, for a spawned service to share it. */
  mysqlUrl: string;
  operations: FuzzOperation[];
  /** Routes the document hides, fuzzed in their query and headers (the static files in their path). */
  hidden: FuzzOperation[];
  creds: FuzzCredentials;
  hints: FuzzHints;
  /** Sends a generated request in-process. */
  inject(r: FuzzRequest): Promise<SeenResponse>;
  /** Call after sending `r` by any route: a logout ends the session, the next request signs in anew. */
  sent(r: FuzzRequest): void;
  close(): Promise<void>;
}

const HIDDEN = ['/health/live', '/health/ready', '/metrics', '/.well-known/jwks.json', '/docs', '/docs/json'];

/**
 * The app under fuzz, on a database of its own (the fuzz registers users and creates products
 * by the hundred), with its operations read from `GET /docs/json`, real accounts, a product to
 * aim at, and real refresh tokens (each its own session, so rotating or reusing one touches no
 * credential the fuzz signs in with).
 */
export async function fuzzTarget(): Promise<FuzzTarget> {
  const scratch = scratchDatabase('fuzz');
  const t = await startTestApp({ MYSQL_URL: scratch.url });
  const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json<OpenApiDocument>();
  const creds = await fuzzCredentials(t);
  const product = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/products',
    headers: { authorization: (await creds.authorization('admin')) ?? '' },
    payload: { name: 'fuzz target', priceCents: 100 },
  });
  if (product.statusCode !== 201) throw new Error(`fuzz: creating the product failed: ${product.body}`);
  const refreshTokens = await Promise.all(
    [1, 2, 3, 4].map(async () => (await t.features.sessions.refreshStore.issue(creds.user.id)).refreshToken),
  );
  const hints: FuzzHints = {
    knownIds: [product.json<{ id: string }>().id, creds.user.id],
    values: {
      // Cursors are opaque to the schema: positions encoded as the routes encode them.
      cursor: fc.oneof(
        fc.uuid({ version: 7 }).map(encodeCursor),
        fc.bigInt({ min: 0n, max: 10n ** 19n - 1n }).map((n) => encodeCursor(String(n))),
      ),
      email: fc.constantFrom(creds.user.email, creds.admin.email),
      password: fc.constantFrom(creds.user.password, creds.admin.password),
      // Forged ones have the right shape, but never the family of a session in use (finding 6).
      refreshToken: fc.oneof(fc.constantFrom(...refreshTokens), fc.constant(`${uuidv4()}.${'A'.repeat(43)}`)),
    },
  };
  const sent = (r: FuzzRequest) => {
    if (r.path.startsWith('/v1/sessions/current')) creds.forget();
  };
  return {
    t,
    mysqlUrl: scratch.url,
    operations: operationsOf(doc),
    hidden: [...HIDDEN, '/docs/static/{file}'].map((template) => ({
      name: `GET ${template}`,
      method: 'GET',
      template,
      op: {},
    })),
    creds,
    hints,
    sent,
    async inject(r) {
      const authorization = r.authorization ?? (await creds.authorization(r.credential));
      const res = await t.app.inject({
        method: r.method,
        url: urlOf(r),
        headers: { ...r.headers, ...(authorization === undefined ? {} : { authorization }) },
        ...(r.body === undefined ? {} : { payload: r.body }),
      });
      sent(r);
      return { status: res.statusCode, headers: res.headers, body: res.body };
    },
    async close() {
      await t.close();
      await scratch.drop();
    },
  };
}
