import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { InjectOptions } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { newUser, startTestApp, type TestApp } from '../testing/test-app.ts';

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  properties?: Record<string, { enum?: unknown[] }>;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface Document {
  servers?: Array<{ url: string }>;
  info: { license?: { name: string } };
  paths: Record<string, Record<string, Operation>>;
}

const REDOCLY = fileURLToPath(import.meta.resolve('@redocly/cli/bin/cli.js'));
const REDOCLY_CONFIG = fileURLToPath(new URL('../../../../redocly.yaml', import.meta.url));
const PROBLEM = 'application/problem+json';

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })),
  );

/** The codes the document lists for one problem response (the enum next to the Problem $ref). */
function documentedCodes(op: Operation, status: number): unknown[] | undefined {
  const schema = op.responses[String(status)]?.content?.[PROBLEM]?.schema;
  return schema?.allOf?.find((s) => s.properties?.code)?.properties?.code?.enum;
}

describe('the OpenAPI document at /docs/json is one clients can generate from', () => {
  let t: TestApp;
  let doc: Document;
  before(async () => {
    t = await startTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    doc = res.json<Document>();
  });
  after(() => t.close());

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'surge-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(doc));
      // Exit code 1 (an error) rejects with the report on stdout; show it.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [REDOCLY, 'lint', '--config', REDOCLY_CONFIG, '--format', 'json', file],
        { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
      ).catch((err: Error & { stdout?: string }) =>
        assert.fail(`redocly lint failed:\n${err.stdout || err.message}`),
      );
      const report = JSON.parse(stdout) as {
        totals: { errors: number; warnings: number };
        problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }>;
      };
      const listed = report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
      assert.deepEqual(listed, []);
      assert.deepEqual(report.totals, { errors: 0, warnings: 0, ignored: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names a server and the MIT license', () => {
    assert.deepEqual(doc.servers, [{ url: '/' }]);
    assert.equal(doc.info.license?.name, 'MIT');
  });

  it('gives every operation a unique camelCase operationId, tags and an explicit security entry', () => {
    const ids = operations(doc).map(({ where, op }) => {
      assert.match(op.operationId ?? '', /^[a-z][a-zA-Z0-9]*$/, `${where}: operationId`);
      assert.ok((op.tags ?? []).length > 0, `${where}: tags`);
      assert.ok(Array.isArray(op.security), `${where}: security (public ones say [])`);
      return op.operationId;
    });
    assert.ok(ids.length >= 11, `only ${ids.length} operations`);
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  });

  it('documents every non-2xx response as problem+json on the shared Problem schema, listing its codes', () => {
    for (const { where, op } of operations(doc)) {
      const errors = Object.keys(op.responses).filter((s) => !s.startsWith('2'));
      assert.ok(errors.includes('500'), `${where}: 500 INTERNAL`);
      for (const status of errors) {
        const content = op.responses[status]?.content ?? {};
        assert.deepEqual(Object.keys(content), [PROBLEM], `${where} ${status}`);
        const refs = content[PROBLEM]?.schema?.allOf?.map((s) => s.$ref).filter(Boolean);
        assert.deepEqual(refs, ['#/components/schemas/Problem'], `${where} ${status}`);
        const codes = documentedCodes(op, Number(status)) ?? [];
        assert.ok(codes.length > 0, `${where} ${status}: no codes listed`);
        for (const c of codes) assert.match(String(c), /^[A-Z][A-Z_]*$/, `${where} ${status}`);
      }
    }
  });

  it('lists the code each error the routes really answer with, under its status', async () => {
    const user = await t.token('user', uuidv7());
    const admin = await t.token('admin', uuidv7());
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const json = { 'content-type': 'application/json' };
    const registered = newUser('openapi');
    await t.app.inject({ method: 'POST', url: '/v1/users', payload: registered });
    const cases: Array<[operationId: string, request: InjectOptions, code: string]> = [
      [
        'registerUser',
        { method: 'POST', url: '/v1/users', payload: '{"email":', headers: json },
        'MALFORMED_JSON',
      ],
      ['registerUser', { method: 'POST', url: '/v1/users', payload: { email: 'x' } }, 'VALIDATION_FAILED'],
      [
        'registerUser',
        {
          method: 'POST',
          url: '/v1/users',
          payload: 'a=1',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'registerUser',
        { method: 'POST', url: '/v1/users', payload: { ...newUser(), displayName: 'x'.repeat(20_000) } },
        'BODY_TOO_LARGE',
      ],
      ['registerUser', { method: 'POST', url: '/v1/users', payload: registered }, 'EMAIL_TAKEN'],
      [
        'createSession',
        {
          method: 'POST',
          url: '/v1/sessions',
          payload: { email: registered.email, password: 'wrong password!' },
        },
        'INVALID_CREDENTIALS',
      ],
      [
        'refreshSession',
        { method: 'POST', url: '/v1/sessions/refresh', payload: { refreshToken: 'nope' } },
        'INVALID_REFRESH_TOKEN',
      ],
      ['deleteCurrentSession', { method: 'DELETE', url: '/v1/sessions/current' }, 'UNAUTHORIZED'],
      [
        'deleteCurrentSession',
        {
          method: 'DELETE',
          url: '/v1/sessions/current',
          payload: '{',
          headers: { ...json, ...bearer(user) },
        },
        'MALFORMED_JSON',
      ],
      ['getMe', { method: 'GET', url: '/v1/me', headers: bearer('not.a.token') }, 'UNAUTHORIZED'],
      [
        'listMyNotifications',
        { method: 'GET', url: '/v1/me/notifications?cursor=bm9wZQ', headers: bearer(user) },
        'INVALID_CURSOR',
      ],
      [
        'listMyNotifications',
        { method: 'GET', url: '/v1/me/notifications?limit=0', headers: bearer(user) },
        'VALIDATION_FAILED',
      ],
      ['getProduct', { method: 'GET', url: '/v1/products/not-a-uuid' }, 'VALIDATION_FAILED'],
      ['getProduct', { method: 'GET', url: `/v1/products/${uuidv7()}` }, 'NOT_FOUND'],
      ['getProduct', { method: 'GET', url: '/v1/products/%E0%A4%A' }, 'BAD_URL'],
      ['getProduct', { method: 'GET', url: `/v1/products/${'a'.repeat(200)}` }, 'URI_TOO_LONG'],
      [
        'createProduct',
        {
          method: 'POST',
          url: '/v1/admin/products',
          payload: { name: 'x', priceCents: 1 },
          headers: bearer(user),
        },
        'FORBIDDEN',
      ],
      [
        'updateProduct',
        {
          method: 'PATCH',
          url: `/v1/admin/products/${uuidv7()}`,
          payload: { priceCents: 1 },
          headers: bearer(admin),
        },
        'NOT_FOUND',
      ],
      ['listDeadLetters', { method: 'GET', url: '/v1/admin/dead-letters' }, 'UNAUTHORIZED'],
      [
        'listDeadLetters',
        { method: 'GET', url: '/v1/admin/dead-letters?cursor=bm9wZQ', headers: bearer(admin) },
        'INVALID_CURSOR',
      ],
      [
        'replayDeadLetter',
        {
          method: 'POST',
          url: `/v1/admin/dead-letters/${uuidv7()}/replay`,
          headers: { ...json, ...bearer(admin) },
        },
        'MALFORMED_JSON',
      ],
      [
        'replayDeadLetter',
        { method: 'POST', url: `/v1/admin/dead-letters/${uuidv7()}/replay`, headers: bearer(admin) },
        'NOT_FOUND',
      ],
    ];
    const byId = new Map(operations(doc).map(({ op }) => [op.operationId, op]));
    for (const [operationId, request, code] of cases) {
      const res = await t.app.inject(request);
      const where = `${operationId} → ${res.statusCode} ${res.body}`;
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, where);
      const body = res.json<{ code: string; status: number; instance: string }>();
      assert.deepEqual([body.code, body.status], [code, res.statusCode], where);
      assert.equal(body.instance, res.headers['x-request-id'], where);
      const op = byId.get(operationId);
      assert.ok(op, `${operationId} is not in the document`);
      assert.ok(documentedCodes(op, res.statusCode)?.includes(code), `${where} ${code} is not documented`);
    }
  });
});
