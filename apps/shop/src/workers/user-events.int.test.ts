import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import { USERS_TOPIC, UserRegistered } from '../modules/users/user-events.ts';
import { newUser, startTestApp, type TestApp } from '../testing/test-app.ts';

/** Polls `probe` until it returns a value that is not undefined; fails with `what` at the deadline. */
async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('user.registered through the outbox to the notifications and audit consumers', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({}, { workers: true });
  });
  after(() => t.close());

  async function register() {
    const user = newUser('events');
    const res = await t.app.inject({ method: 'POST', url: '/v1/users', payload: user });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json<{ id: string }>().id;
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { email: user.email, password: user.password },
    });
    return { id, token: login.json<{ accessToken: string }>().accessToken };
  }

  const notificationsOf = async (token: string) =>
    (
      await t.app.inject({
        method: 'GET',
        url: '/v1/me/notifications',
        headers: { authorization: `Bearer ${token}` },
      })
    ).json<{ items: Array<{ id: string; kind: string; title: string }>; nextCursor: string | null }>();

  it('registration writes the user and its event in one transaction; the welcome arrives once', async () => {
    const { id, token } = await register();
    const row = await t.ctx.db
      .selectFrom('outbox')
      .select(['id', 'topic', 'type'])
      .where('msg_key', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.topic, t.ctx.topic(USERS_TOPIC));
    assert.equal(row.type, UserRegistered.type);

    const page = await eventually('welcome notification', async () => {
      const p = await notificationsOf(token);
      return p.items.length > 0 ? p : undefined;
    });
    assert.equal(page.items.length, 1);
    assert.equal(page.items[0]?.kind, 'welcome');
    assert.equal(page.items[0]?.id, row.id, 'the notification is keyed by the event id');
    const audit = await eventually('audit row', () =>
      t.ctx.db.selectFrom('audit_log').selectAll().where('event_id', '=', row.id).executeTakeFirst(),
    );
    assert.equal(audit.event_type, UserRegistered.type);
    assert.equal(audit.subject, id);
  });

  it("the event carries the request's W3C trace into Kafka", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/users',
      payload: newUser('trace'),
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    assert.equal(res.statusCode, 201);
    const row = await t.ctx.db
      .selectFrom('outbox')
      .select('message')
      .where('msg_key', '=', res.json<{ id: string }>().id)
      .executeTakeFirstOrThrow();
    const headers = (JSON.parse(row.message) as { headers: Record<string, string> }).headers;
    assert.match(headers.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    assert.equal(headers['x-request-id'], res.headers['x-request-id']);
  });

  it('a failed registration (duplicate email) publishes nothing', async () => {
    const user = newUser('dup');
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/users', payload: user })).statusCode, 201);
    const before = await t.ctx.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/users', payload: user })).statusCode, 409);
    const afterCount = await t.ctx.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
  });

  it('a schema-invalid record is dead-lettered with its origin, listed for admins, replayable; the consumer moves on', async () => {
    const poisonId = uuidv7();
    await t.ctx.publisher.publish(t.ctx.topic(USERS_TOPIC), [
      {
        id: poisonId,
        type: UserRegistered.type,
        source: '/tests',
        time: new Date().toISOString(),
        key: 'poison',
        data: { userId: 'not-a-uuid', email: 42 },
        headers: {},
      },
    ]);
    // A valid registration after the poison still gets its welcome: the partition is not stuck.
    const { token } = await register();
    await eventually('welcome after poison', async () =>
      (await notificationsOf(token)).items.length > 0 ? true : undefined,
    );

    const rows = await eventually('dead letters recorded', async () => {
      const r = await t.ctx.db
        .selectFrom('dead_letters')
        .selectAll()
        .where('event_id', '=', poisonId)
        .execute();
      // Both consumers of the topic (notifications and audit) see the poison; notifications dead-letters it.
      return r.length > 0 ? r : undefined;
    });
    const dl = rows.find((r) => r.consumer_group === `${t.config.kafkaTopicPrefix}surge-notifications`);
    assert.ok(dl, JSON.stringify(rows.map((r) => r.consumer_group)));
    assert.equal(dl.original_topic, t.ctx.topic(USERS_TOPIC));
    assert.equal(dl.error_class, 'SchemaError');
    assert.equal(dl.attempts, 1);
    assert.ok(dl.original_offset !== null && dl.original_partition !== null);

    const admin = await t.token('admin', uuidv7());
    const auth = { authorization: `Bearer ${admin}` };
    const list = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/dead-letters?limit=100',
      headers: auth,
    });
    assert.equal(list.statusCode, 200, list.body);
    const listed = list.json<{ items: Array<{ id: string; eventId: string; errorClass: string }> }>().items;
    assert.ok(listed.some((i) => i.id === dl.id && i.errorClass === 'SchemaError'));

    const user = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/dead-letters',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(user.statusCode, 403);

    const replay = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/dead-letters/${dl.id}/replay`,
      headers: auth,
    });
    assert.equal(replay.statusCode, 200, replay.body);
    assert.equal(replay.json<{ replayCount: number }>().replayCount, 1);
    // Replayed to the original topic with the same event id: still invalid, so dead-lettered again.
    await eventually('replayed record dead-lettered again', async () => {
      const r = await t.ctx.db
        .selectFrom('dead_letters')
        .select('id')
        .where('event_id', '=', poisonId)
        .where('consumer_group', '=', `${t.config.kafkaTopicPrefix}surge-notifications`)
        .execute();
      return r.length >= 2 ? true : undefined;
    });
    const missing = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/dead-letters/${uuidv7()}/replay`,
      headers: auth,
    });
    assert.equal(missing.statusCode, 404);
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/dead-letters/nope/replay',
      headers: auth,
    });
    assert.equal(malformed.statusCode, 400);
  });
});
