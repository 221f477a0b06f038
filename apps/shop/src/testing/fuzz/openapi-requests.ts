import fc from 'fast-check';
import { mutatedObject } from './body-mutations.ts';
import { printable, type Credential, type FuzzRequest } from './fuzz-request.ts';
import {
  contentType,
  garbageAuthorization,
  hostileString,
  idempotencyKey,
  percentEncode,
  wireBadBody,
  wireIdSegment,
  wireQueryNoise,
  wireQueryValue,
} from './hostile-input.ts';
import { schemaArbitrary, type JsonSchema } from './json-schema-arbitrary.ts';

/** The parts of an OpenAPI 3.0 operation the fuzzer reads. */
export interface OpenApiOperation {
  operationId?: string;
  security?: ReadonlyArray<Record<string, unknown>>;
  parameters?: ReadonlyArray<{ in: string; name: string; required?: boolean; schema: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/** One operation of the document, with what the fuzzer needs to build its requests. */
export interface FuzzOperation {
  name: string;
  method: string;
  /** The path template, `/v1/products/{id}`. */
  template: string;
  op: OpenApiOperation;
}

/** What the document cannot say: values that reach deeper than the schema's (known ids, real tokens). */
export interface FuzzHints {
  /** Ids of resources that exist, tried as path parameters beside random and malformed ones. */
  knownIds: readonly string[];
  /** Extra valid-looking values by query-parameter or body-field name (cursors, refresh tokens). */
  values: Readonly<Record<string, fc.Arbitrary<unknown>>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** A failing request shrinks towards its operation's plain form: the hostile part stands out. */
const SHRINK_TO_FIRST = { withCrossShrink: true } as const;

export const operationsOf = (doc: OpenApiDocument): FuzzOperation[] =>
  Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.entries(ops)
      .filter(([method]) => (METHODS as readonly string[]).includes(method))
      .map(([method, op]) => ({
        name: op.operationId ?? `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        op,
      })),
  );

export const jsonBodySchema = (op: OpenApiOperation) => op.requestBody?.content?.['application/json']?.schema;

/** The credential the operation's security asks for: none, a user, or (under /admin/) an admin. */
export const rightfulCredential = (o: FuzzOperation): Credential =>
  (o.op.security ?? []).length === 0 ? 'none' : o.template.includes('/admin/') ? 'admin' : 'user';

/** A field's value: from its schema, or a hint for that name. */
const fieldValue = (name: string, schema: JsonSchema, hints: FuzzHints): fc.Arbitrary<unknown> => {
  const hint = hints.values[name];
  return hint ? fc.oneof(schemaArbitrary(schema), hint) : schemaArbitrary(schema);
};

const validBodyOf = (schema: JsonSchema, hints: FuzzHints): fc.Arbitrary<unknown> => {
  if (schema.type !== 'object' || !schema.properties) return schemaArbitrary(schema);
  const withHints = {
    ...schema,
    properties: Object.fromEntries(Object.keys(schema.properties).map((k) => [k, { const: k }])),
  };
  // Build the object from per-field arbitraries so hints apply; the schema's own rules
  // (required, minProperties) come from schemaArbitrary on a copy whose fields are placeholders.
  const props = schema.properties;
  return schemaArbitrary(withHints).chain((shape) => {
    const present = Object.keys(shape as Record<string, unknown>);
    return fc.record(Object.fromEntries(present.map((k) => [k, fieldValue(k, props[k] ?? {}, hints)])));
  });
};

function pathArbitrary(o: FuzzOperation, hints: FuzzHints, valid: boolean): fc.Arbitrary<string> {
  const params = new Map(
    (o.op.parameters ?? []).filter((p) => p.in === 'path').map((p) => [p.name, p.schema]),
  );
  const parts = o.template.split(/(\{[^}]+\})/).map((part) => {
    const name = /^\{(.+)\}$/.exec(part)?.[1];
    if (name === undefined) return fc.constant(part);
    const schema = params.get(name) ?? { type: 'string' as const };
    const good = fc.oneof(
      schemaArbitrary(schema).map((v) => percentEncode(String(v))),
      ...(hints.knownIds.length > 0 ? [fc.constantFrom(...hints.knownIds)] : []),
    );
    return valid
      ? good
      : fc.oneof({ weight: 1, arbitrary: good }, { weight: 2, arbitrary: wireIdSegment(hints.knownIds) });
  });
  const path = fc.tuple(...parts).map((ps) => ps.join(''));
  if (valid) return path;
  // Now and then a path next to the operation's: the router's 404 and 405 must be problems too.
  return fc.oneof(
    SHRINK_TO_FIRST,
    { weight: 40, arbitrary: path },
    { weight: 1, arbitrary: path.map((p) => `${p}/`) },
    { weight: 1, arbitrary: path.map((p) => p.replace('/', '//')) },
    { weight: 1, arbitrary: fc.tuple(path, hostileString).map(([p, s]) => `${p}/${percentEncode(s)}`) },
  );
}

function queryArbitrary(o: FuzzOperation, hints: FuzzHints, valid: boolean): fc.Arbitrary<string> {
  const params = (o.op.parameters ?? []).filter((p) => p.in === 'query');
  const pairs = fc.record(
    Object.fromEntries(
      params.map((p) => [p.name, fieldValue(p.name, p.schema, hints).map((v) => percentEncode(String(v)))]),
    ),
    { requiredKeys: params.filter((p) => p.required).map((p) => p.name) },
  );
  const join = (o: Record<string, string>) =>
    Object.entries(o)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
  const good = pairs.map(join);
  if (valid) return good;
  const names = params.map((p) => p.name);
  return fc.oneof(
    SHRINK_TO_FIRST,
    { weight: 4, arbitrary: good },
    ...(names.length > 0
      ? [
          {
            weight: 4,
            arbitrary: fc
              .tuple(pairs, fc.constantFrom(...names), wireQueryValue)
              .map(([ps, k, v]) => join({ ...ps, [k]: v })),
          },
          {
            weight: 1,
            arbitrary: fc
              .tuple(good, fc.constantFrom(...names), wireQueryValue)
              .map(([q, k, v]) => [q, `${k}=${v}`].filter(Boolean).join('&')),
          },
        ]
      : []),
    {
      weight: 2,
      arbitrary: fc.tuple(good, wireQueryNoise).map(([q, n]) => [q, n].filter(Boolean).join('&')),
    },
  );
}

export type Body = { body?: string | Buffer; contentType?: string };

function bodyArbitrary(o: FuzzOperation, hints: FuzzHints, valid: boolean): fc.Arbitrary<Body> {
  const schema = jsonBodySchema(o.op);
  const json = (v: unknown): Body => ({ body: JSON.stringify(v), contentType: 'application/json' });
  if (schema === undefined) {
    if (valid) return fc.constant({});
    return fc.oneof(
      SHRINK_TO_FIRST,
      { weight: 6, arbitrary: fc.constant({}) },
      { weight: 1, arbitrary: fc.constant(json({})) },
      {
        weight: 2,
        arbitrary: fc.tuple(wireBadBody, contentType).map(([body, contentType]) => ({ body, contentType })),
      },
    );
  }
  const good = validBodyOf(schema, hints);
  if (valid) return good.map(json);
  return fc.oneof(
    SHRINK_TO_FIRST,
    { weight: 3, arbitrary: good.map(json) },
    { weight: 4, arbitrary: mutatedObject(schema, good).map(json) },
    { weight: 2, arbitrary: wireBadBody.map((body) => ({ body, contentType: 'application/json' })) },
    {
      weight: 1,
      arbitrary: fc.tuple(good, contentType).map(([v, contentType]) => ({ ...json(v), contentType })),
    },
    { weight: 1, arbitrary: good.map((v) => ({ body: JSON.stringify(v) })) },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

const CREDENTIALS: readonly Credential[] = [
  'none',
  'user',
  'admin',
  'ghost',
  'ghost-admin',
  'expired',
  'foreign',
];

/** Extra headers: Idempotency-Key variants, request ids to echo, content negotiation. */
const extraHeaders = fc.record(
  {
    'idempotency-key': idempotencyKey,
    'x-request-id': fc.oneof(
      fc.uuid(),
      hostileString.filter((s) => /^[\x20-\x7e]*$/.test(s)),
    ),
    accept: fc.constantFrom('application/json', 'application/xml', '*/*', 'text/html;q=0.1', ''),
    'content-encoding': fc.constantFrom('gzip', 'identity', 'br'),
  },
  { requiredKeys: [] },
);

/**
 * Requests generated from one operation of the document. `valid` ones satisfy every schema of
 * the operation and carry the credential it asks for (they must pass validation: the document
 * tells the truth); the others mix valid parts with hostile ones, other methods and other
 * credentials.
 */
export function operationRequests(
  o: FuzzOperation,
  hints: FuzzHints,
  valid = false,
): fc.Arbitrary<FuzzRequest> {
  const credential = valid
    ? fc.constant({ credential: rightfulCredential(o) })
    : fc.oneof(
        SHRINK_TO_FIRST,
        { weight: 3, arbitrary: fc.constant({ credential: rightfulCredential(o) }) },
        { weight: 3, arbitrary: fc.constantFrom(...CREDENTIALS).map((credential) => ({ credential })) },
        {
          weight: 1,
          arbitrary: garbageAuthorization.map((authorization) => ({
            credential: 'none' as const,
            authorization,
          })),
        },
      );
  const method = valid
    ? fc.constant(o.method)
    : fc.oneof(
        SHRINK_TO_FIRST,
        { weight: 20, arbitrary: fc.constant(o.method) },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
      );
  return fc
    .record({
      method,
      path: pathArbitrary(o, hints, valid),
      query: queryArbitrary(o, hints, valid),
      credential,
      body: bodyArbitrary(o, hints, valid),
      extra: valid ? fc.constant({}) : extraHeaders,
    })
    .map((parts) => assemble(o, parts));
}

/** The parts of a request before they are put together (`assemble`). */
export interface RequestParts {
  method: string;
  path: string;
  query: string;
  credential: { credential: Credential; authorization?: string };
  body: Body;
  extra: Record<string, string>;
}

/** Parts valid by every schema of the operation, with its credential: what a violation starts from. */
export const validParts = (o: FuzzOperation, hints: FuzzHints): fc.Arbitrary<RequestParts> =>
  fc.record({
    method: fc.constant(o.method),
    path: pathArbitrary(o, hints, true),
    query: queryArbitrary(o, hints, true),
    credential: fc.constant({ credential: rightfulCredential(o) }),
    body: bodyArbitrary(o, hints, true),
    extra: fc.constant({}),
  });

export function assemble(o: FuzzOperation, { method, path, query, credential, body, extra }: RequestParts) {
  return printable({
    operation: o.name,
    method,
    path,
    query,
    ...credential,
    headers: {
      ...extra,
      ...(body.contentType === undefined ? {} : { 'content-type': body.contentType }),
    },
    ...(body.body === undefined ? {} : { body: body.body }),
  });
}

/**
 * What the document's description promises beside every operation (api-docs.ts): an unknown
 * path, another method, a path that is not valid percent-encoding, a path segment longer than
 * the router allows.
 */
const EVERYWHERE: Readonly<Record<number, readonly string[]>> = {
  400: ['BAD_URL'],
  414: ['URI_TOO_LONG'],
  404: ['NOT_FOUND'],
  405: ['METHOD_NOT_ALLOWED'],
};

/**
 * The problem codes the document lists for an answer of `status` to operation `o`, when a request
 * with `method` is one of its own (another method is answered by the router: 404 or 405 only).
 */
export function documentedCodes(o: FuzzOperation, method: string) {
  if (o.op.responses === undefined || method !== o.method) return undefined;
  return (status: number): readonly string[] => {
    const schema = o.op.responses?.[String(status)]?.content?.['application/problem+json']?.schema as
      { allOf?: Array<{ properties?: { code?: { enum?: string[] } } }> } | undefined;
    const codes = schema?.allOf?.find((s) => s.properties?.code)?.properties?.code?.enum ?? [];
    return [...codes, ...(EVERYWHERE[status] ?? [])];
  };
}
