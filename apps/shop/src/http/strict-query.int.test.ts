import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../testing/test-app.ts';

/** Issue 8, finding 12: `limit=1.5`, `true` and `0x2` were accepted and read as 1, 1 and 2. */
describe('integers in query strings are strict', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await startTestApp();
    token = await t.token();
  });
  after(() => t.close());

  const list = (query: string) =>
    t.app.inject({
      method: 'GET',
      url: `/v1/me/notifications?${query}`,
      headers: { authorization: `Bearer ${token}` },
    });

  for (const limit of ['1.5', 'true', '0x2', '1e1', '+5', '', '05']) {
    it(`limit=${limit} → 400 VALIDATION_FAILED naming querystring/limit`, async () => {
      const res = await list(`limit=${encodeURIComponent(limit)}`);
      assert.equal(res.statusCode, 400, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const body = res.json<{ code: string; errors: Array<{ path: string; message: string }> }>();
      assert.equal(body.code, 'VALIDATION_FAILED');
      assert.deepEqual(
        body.errors.map((e) => e.path),
        ['querystring/limit'],
      );
    });
  }

  it('limit=2 and no limit at all still list', async () => {
    for (const query of ['limit=2', '']) {
      const res = await list(query);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json<{ items: unknown[] }>().items, []);
    }
  });

  it('limit=0 and limit=101 are out of range', async () => {
    for (const query of ['limit=0', 'limit=101']) assert.equal((await list(query)).statusCode, 400, query);
  });
});
