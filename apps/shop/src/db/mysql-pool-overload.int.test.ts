import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { eventually } from '@surge/test-support';
import { newUser, startTestApp, type TestApp } from '../testing/test-app.ts';

/**
 * Issue 8, finding 3: `wrk -t4 -c250` on `GET /v1/me/notifications` got 4,706 of ~10,800
 * answers `500 INTERNAL` — mysql2's own queue (200 waiting for 10 connections) overflowed with
 * `Queue limit reached.`. The pool is now behind a bulkhead with a bounded queue and a wait
 * budget (db/pool-gate.ts): a request it cannot serve gets 503 `OVERLOADED` with `Retry-After`.
 * Here the pool is tiny, so a burst overflows it at once; shedding is off so only the pool refuses.
 */
describe('MySQL pool at capacity: 200 or 503 with Retry-After, never 500', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await startTestApp({
      MYSQL_POOL_SIZE: '1',
      MYSQL_QUEUE_LIMIT: '2',
      MYSQL_QUEUE_TIMEOUT_MS: '200',
      LOAD_SHEDDING: 'false',
    });
    token = await t.token();
  });
  after(() => t.close());

  const rejections = async (reason: string) => {
    const metrics = await t.app.inject({ url: '/metrics' });
    const line = new RegExp(
      `^surge_bulkhead_rejections_total\\{bulkhead="mysql",reason="${reason}"\\} (\\d+)$`,
      'm',
    );
    return Number(line.exec(metrics.body)?.[1] ?? 0);
  };

  it('a burst beyond pool + queue: every answer is 200 or 503 OVERLOADED with Retry-After', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        t.app.inject({ url: '/v1/me/notifications', headers: { authorization: `Bearer ${token}` } }),
      ),
    );
    const byStatus = new Map<number, number>();
    for (const r of answers) byStatus.set(r.statusCode, (byStatus.get(r.statusCode) ?? 0) + 1);
    assert.deepEqual(
      [...byStatus.keys()].filter((s) => s !== 200 && s !== 503),
      [],
      `statuses: ${JSON.stringify([...byStatus])}`,
    );
    const refused = answers.filter((r) => r.statusCode === 503);
    assert.ok(refused.length > 0, 'the burst overflowed the pool (otherwise this test proves nothing)');
    assert.ok((byStatus.get(200) ?? 0) > 0, 'requests that got a connection were served');
    for (const r of refused) {
      assert.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.ok(Number(r.headers['retry-after']) >= 1, 'Retry-After in seconds');
      assert.equal(r.json<{ code: string }>().code, 'OVERLOADED');
    }
    const counted = (await rejections('queue-full')) + (await rejections('queue-timeout'));
    assert.ok(counted >= refused.length, `counted as bulkhead rejections: ${counted} of ${refused.length}`);
  });

  it('a request waits at most MYSQL_QUEUE_TIMEOUT_MS for a connection, then gets 503', async () => {
    let free: () => void = () => {};
    const busy = new Promise<void>((r) => (free = r));
    let holding: () => void = () => {};
    const held = new Promise<void>((r) => (holding = r));
    // Hold the only connection until the request has been answered.
    const holder = t.ctx.db.connection().execute(async () => {
      holding();
      await busy;
    });
    await held;
    const before = await rejections('queue-timeout');
    const r = await t.app.inject({
      url: '/v1/me/notifications',
      headers: { authorization: `Bearer ${token}` },
    });
    free();
    await holder;
    assert.equal(r.statusCode, 503);
    assert.equal(r.json<{ code: string }>().code, 'OVERLOADED');
    assert.ok(r.headers['retry-after']);
    assert.equal(await rejections('queue-timeout'), before + 1);
    const again = await t.app.inject({
      url: '/v1/me/notifications',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(again.statusCode, 200, 'served again once the connection is free');
  });
});

/**
 * Issue 8, finding 4 (work for gone clients): a request whose client closed its connection while
 * it waited for a MySQL connection gives its place up — it never gets a connection, its query
 * never runs, and it ends as 499 `CLIENT_CLOSED_REQUEST` (request.clientSignal reaches the pool
 * gate through infra/request-scope.ts). Real sockets: a client that goes away is a closed socket.
 */
describe('MySQL pool: a request whose client has gone stops waiting for a connection', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await startTestApp({ MYSQL_POOL_SIZE: '1', MYSQL_QUEUE_TIMEOUT_MS: '60000', LOAD_SHEDDING: 'false' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  after(() => t.close());

  const metric = async (pattern: RegExp) => {
    const text = (await t.app.inject({ url: '/metrics' })).body;
    return Number(pattern.exec(text)?.[1] ?? 0);
  };
  const QUEUED = /^surge_bulkhead_queued\{bulkhead="mysql"\} (\d+)$/m;
  const ABANDONED = /^surge_bulkhead_rejections_total\{bulkhead="mysql",reason="abandoned"\} (\d+)$/m;

  it('leaves the queue when its client disconnects; the connection goes to the next request', async () => {
    const token = await t.token();
    let free: () => void = () => {};
    const busy = new Promise<void>((r) => (free = r));
    let holding: () => void = () => {};
    const held = new Promise<void>((r) => (holding = r));
    const holder = t.ctx.db.connection().execute(async () => {
      holding();
      await busy;
    });
    await held;

    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`GET /v1/me/notifications HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    await eventually('the request to wait for the connection', async () =>
      (await metric(QUEUED)) === 1 ? true : undefined,
    );
    socket.destroy();
    await eventually('the request to give its place up', async () =>
      (await metric(ABANDONED)) === 1 ? true : undefined,
    );
    free();
    await holder;
    const next = await t.app.inject({
      url: '/v1/me/notifications',
      headers: { authorization: `Bearer ${token}` },
    });
    // Its queue place was skipped (a skipped place never runs: resilience's bulkhead.test.ts).
    assert.equal(next.statusCode, 200, 'the next request got the connection');
    assert.equal(await metric(QUEUED), 0);
  });
});

/**
 * The MySQL queue is shared by every request. In the overload bench (docs/benchmarks.md) a flood
 * of reads filled it and logins were refused with it; the last tenth of its places is now kept for
 * `high` and `critical` routes (login, registration, refresh, admin), so a login still gets in.
 */
describe('MySQL pool: a full queue of reads still lets a login in', () => {
  let t: TestApp;
  const user = newUser('reserve');
  before(async () => {
    t = await startTestApp({
      MYSQL_POOL_SIZE: '1',
      MYSQL_QUEUE_LIMIT: '10',
      MYSQL_QUEUE_TIMEOUT_MS: '60000',
      LOAD_SHEDDING: 'false',
    });
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/users', payload: user })).statusCode, 201);
  });
  after(() => t.close());

  it('reads fill the queue up to its reserve and are refused beyond; a login takes a reserved place', async () => {
    const token = await t.token();
    const read = () =>
      t.app.inject({ url: '/v1/me/notifications', headers: { authorization: `Bearer ${token}` } });
    const queued = async () =>
      Number(
        /^surge_bulkhead_queued\{bulkhead="mysql"\} (\d+)$/m.exec(
          (await t.app.inject({ url: '/metrics' })).body,
        )?.[1],
      );
    let free: () => void = () => {};
    const busy = new Promise<void>((r) => (free = r));
    let holding: () => void = () => {};
    const held = new Promise<void>((r) => (holding = r));
    const holder = t.ctx.db.connection().execute(async () => {
      holding();
      await busy;
    });
    await held;

    const waiting = Array.from({ length: 9 }, read);
    await eventually('nine reads waiting', async () => ((await queued()) === 9 ? true : undefined));
    const refused = await read();
    assert.equal(refused.statusCode, 503, 'a tenth read may not take the reserved place');
    assert.equal(refused.json<{ code: string }>().code, 'OVERLOADED');
    const login = t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { email: user.email, password: user.password },
    });
    await eventually('the login waiting in the reserved place', async () =>
      (await queued()) === 10 ? true : undefined,
    );
    free();
    await holder;
    assert.equal((await login).statusCode, 200);
    assert.deepEqual(
      (await Promise.all(waiting)).map((r) => r.statusCode),
      Array.from({ length: 9 }, () => 200),
    );
  });
});
