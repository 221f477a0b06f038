import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newUser, startTestApp, type TestApp } from '../testing/test-app.ts';

/** G9: bad input is a 4xx problem+json with a stable code, never a 5xx. */
describe('bad input gets a clear 4xx problem+json', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const post = (payload: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    t.app.inject({ method: 'POST', url: '/v1/users', payload, headers });

  const assertProblem = (res: Awaited<ReturnType<typeof post>>, status: number, code: string) => {
    assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    const body = res.json<{ code: string; status: number; instance: string; type: string; title: string }>();
    assert.equal(body.code, code);
    assert.equal(body.status, status);
    assert.equal(body.instance, res.headers['x-request-id']);
    assert.match(body.type, /^https:\/\/surge\.dev\/problems\//);
    return body;
  };

  it('malformed JSON → 400 MALFORMED_JSON', async () => {
    assertProblem(await post('{"email": "a@b.c",'), 400, 'MALFORMED_JSON');
    assertProblem(await post(''), 400, 'MALFORMED_JSON');
  });

  it('wrong types → 400 VALIDATION_FAILED naming the field (no coercion)', async () => {
    const body = assertProblem(
      await post(JSON.stringify({ ...newUser(), password: 123456789012345 })),
      400,
      'VALIDATION_FAILED',
    ) as unknown as { errors: Array<{ path: string }> };
    assert.ok(
      body.errors.some((e) => e.path === 'body/password'),
      JSON.stringify(body.errors),
    );
  });

  it('unknown fields → 400 (mass assignment of role is refused, not ignored)', async () => {
    assertProblem(await post(JSON.stringify({ ...newUser(), role: 'admin' })), 400, 'VALIDATION_FAILED');
  });

  it('password shorter than 12 or longer than 128 → 400', async () => {
    assertProblem(await post(JSON.stringify({ ...newUser(), password: 'short' })), 400, 'VALIDATION_FAILED');
    assertProblem(
      await post(JSON.stringify({ ...newUser(), password: 'x'.repeat(129) })),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('a 1 MiB body → 413 BODY_TOO_LARGE', async () => {
    const big = JSON.stringify({ ...newUser(), displayName: 'x'.repeat(1024 * 1024) });
    assertProblem(await post(big), 413, 'BODY_TOO_LARGE');
  });

  it('a deeply nested body → 4xx, not a crash', async () => {
    const res = await post('['.repeat(5000) + ']'.repeat(5000));
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, res.body);
  });

  it('prototype poisoning → 400', async () => {
    const res = await post(
      '{"email":"a@b.co","password":"123456789012","displayName":"x","__proto__":{"role":"admin"}}',
    );
    assertProblem(res, 400, res.json<{ code: string }>().code);
  });

  it('wrong content type → 415', async () => {
    assertProblem(
      await post('email=a', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('unknown path → 404 NOT_FOUND; known path, wrong method → 405 with Allow', async () => {
    assertProblem(await t.app.inject({ method: 'GET', url: '/v1/nope' }), 404, 'NOT_FOUND');
    const res = await t.app.inject({ method: 'DELETE', url: '/v1/users' });
    assertProblem(res, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(res.headers.allow, 'POST');
  });

  it('a missing file under a GET route is 404, not a 405 whose Allow lists GET (fuzz finding)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/static/no-such-file.js' });
    assertProblem(res, 404, 'NOT_FOUND');
    assert.equal(res.headers.allow, undefined);
  });

  it('every response carries x-request-id, and a well-formed incoming id is kept', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'abc-123' },
    });
    assert.equal(res.headers['x-request-id'], 'abc-123');
    const spoofed = await t.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'has spaces and\nnewlines' },
    });
    assert.match(String(spoofed.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('/metrics counts requests by route template, not raw URL', async () => {
    await t.app.inject({ method: 'GET', url: '/v1/nope-a' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(
      res.body,
      /surge_http_requests_total\{method="POST",route="\/v1\/users",status_class="4xx"\} \d+/,
    );
    assert.doesNotMatch(res.body, /nope-a/);
  });

  it('OpenAPI document lists the v1 routes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    assert.match(doc.openapi, /^3\./);
    for (const p of ['/v1/users', '/v1/sessions', '/v1/sessions/refresh', '/v1/sessions/current', '/v1/me']) {
      assert.ok(p in doc.paths, `${p} missing from OpenAPI`);
    }
  });
});
