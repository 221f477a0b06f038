import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { provisionTopics } from '@surge/messaging';
import { readRaw, eventually } from '@surge/test-support';
import { loadConfig } from '../../config.ts';
import { deleteTopicsWithPrefix } from '../../testing/kafka-topics.ts';
import { scratchDatabase } from '../../testing/scratch-database.ts';
import { spawnService, waitFor, type ServiceProcess } from '../../testing/spawn-service.ts';
import { moduleTopics } from '../index.ts';
import { ORDERS_TOPIC, OrderPlaced } from '../orders/order-events.ts';
import { createTokenService, generateKeyPem } from '../sessions/tokens.ts';
import { saleKeys } from './sale-stock.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
/** The idempotency store's lease (redis-kit's default, which the service keeps; docs/operations.md). */
const LEASE_SEC = 15;
const STOCK = 10;

interface Answer {
  status: number;
  code: string | undefined;
  orderId: string | undefined;
  body: string;
  retryAfter: string | null;
  replayed: boolean;
}

/**
 * G2–G4 across a crash at the worst moment of placement: a process SIGKILLed after its Lua script
 * reserved the units in Redis and before `order.placed` was published (no answer, nothing in
 * Kafka). The client retries with the same Idempotency-Key on a restarted service: the key is
 * blocked by the dead holder's lease (409 + Retry-After), then taken over with the first
 * attempt's orderId, whose reservation is found and published — units taken once, one order row,
 * the same orderId, and the replay afterwards identical.
 */
describe('kill -9 between reserve and publish, then retry the same key on a restarted service', () => {
  const prefix = `test-pcrash-${randomUUID().slice(0, 8)}-`;
  const scratch = scratchDatabase('crash');
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
  const children: ServiceProcess[] = [];
  const sales: string[] = [];
  let keys: { privateKeyPem: string; publicKeyPem: string };

  const service = async (env: Record<string, string>) => {
    const svc = await spawnService({
      SURGE_ROLE: 'all',
      MYSQL_URL: scratch.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      JWT_PRIVATE_KEY: keys.privateKeyPem,
      JWT_PUBLIC_KEY: keys.publicKeyPem,
      LOG_LEVEL: 'warn',
      ...env,
    });
    children.push(svc);
    await waitFor(svc, '/health/ready', 200, 90_000);
    return svc;
  };

  before(async () => {
    keys = await generateKeyPem();
    // Provisioned up front: the restarted service's publish must not race the worker role's provisioning.
    await provisionTopics(
      { brokers, clientId: 'placement-crash-test' },
      moduleTopics().map((t) => ({ ...t, name: prefix + t.name })),
    );
  });
  after(async () => {
    for (const c of children)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    const saleKeyList = sales.flatMap((id) => Object.values(saleKeys(id)));
    const idem = await redis.keys(`surge:idem:${scratch.name}:*`);
    if (saleKeyList.length + idem.length > 0) await redis.unlink(...saleKeyList, ...idem);
    redis.disconnect();
    await Promise.all([scratch.drop(), deleteTopicsWithPrefix(brokers, prefix)]);
  });

  it(
    'a sequential retry and a racing pair of retries each get the first orderId; stock is taken once',
    { timeout: 170_000 },
    async (t) => {
      const config = loadConfig({
        SURGE_PROFILE: 'test',
        JWT_PRIVATE_KEY: keys.privateKeyPem,
        JWT_PUBLIC_KEY: keys.publicKeyPem,
      });
      const tokens = await createTokenService(config.jwt);
      const bearer = async (role: 'user' | 'admin', sub = randomUUID()) => ({
        sub,
        authorization: `Bearer ${await tokens.sign({ sub, role, sid: randomUUID() })}`,
      });
      const post = async (base: string, path: string, who: { authorization: string }, body: object) => {
        const res = await fetch(base + path, {
          method: 'POST',
          headers: { authorization: who.authorization, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        assert.ok(res.ok, `POST ${path}: ${res.status} ${await res.clone().text()}`);
        return (await res.json()) as { id: string };
      };

      // 1. A service whose placements stop after reserving (test profile, the crash hook on).
      const paused = await service({ SURGE_PROFILE: 'test', SURGE_TEST_PAUSE_AFTER_RESERVE: '1' });
      const admin = await bearer('admin');
      const product = await post(paused.baseUrl, '/v1/admin/products', admin, {
        name: 'Crash phone',
        priceCents: 1_000,
      });
      const sale = await post(paused.baseUrl, '/v1/admin/flash-sales', admin, {
        productId: product.id,
        stock: STOCK,
        priceCents: 700,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        perUserLimit: 3,
      });
      sales.push(sale.id);
      const k = saleKeys(sale.id);
      const alice = { ...(await bearer('user')), key: `"${randomUUID()}"`, quantity: 2 };
      const bob = { ...(await bearer('user')), key: `"${randomUUID()}"`, quantity: 1 };

      const buy = async (base: string, who: typeof alice): Promise<Answer> => {
        const res = await fetch(`${base}/v1/flash-sales/${sale.id}/orders`, {
          method: 'POST',
          headers: {
            authorization: who.authorization,
            'content-type': 'application/json',
            'idempotency-key': who.key,
          },
          body: JSON.stringify({ quantity: who.quantity }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = await res.text();
        const parsed = JSON.parse(body) as { code?: string; orderId?: string };
        return {
          status: res.status,
          code: parsed.code,
          orderId: parsed.orderId,
          body,
          retryAfter: res.headers.get('retry-after'),
          replayed: res.headers.get('idempotent-replayed') === 'true',
        };
      };

      // 2. Both placements reserve, log the pause and hang; the test learns each orderId from the log.
      const hanging = [buy(paused.baseUrl, alice), buy(paused.baseUrl, bob)].map((p) =>
        p.then(
          (a) => assert.fail(`a paused placement answered ${a.status} ${a.body}`),
          () => 'no answer',
        ),
      );
      const pausedOrders = await eventually(
        'both placements to pause after reserving',
        () => {
          const ids = paused
            .output()
            .split('\n')
            .flatMap((line) => {
              try {
                const entry = JSON.parse(line) as { msg?: string; orderId?: string };
                return entry.msg === 'paused after reserve' && entry.orderId ? [entry.orderId] : [];
              } catch {
                return [];
              }
            });
          return Promise.resolve(ids.length === 2 ? ids : undefined);
        },
        { timeoutMs: 30_000, progress: () => paused.output() },
      );
      const reservation = async (orderId: string) => (await redis.hget(k.orders, orderId))?.split('|');
      const ownerOf = new Map<string, typeof alice>();
      for (const orderId of pausedOrders) {
        const r = await reservation(orderId);
        assert.equal(r?.[0], 'reserved', `reservation of ${orderId}: ${r?.join('|')}`);
        ownerOf.set(orderId, r?.[1] === alice.sub ? alice : bob);
      }
      assert.equal(new Set([...ownerOf.values()].map((w) => w.sub)).size, 2, 'one paused order per buyer');
      const orderOf = (who: typeof alice) => [...ownerOf].find(([, w]) => w === who)![0];

      // 3. SIGKILL at the pause: units taken once in Redis, nothing published.
      paused.child.kill('SIGKILL');
      await paused.exited;
      assert.equal(paused.child.signalCode, 'SIGKILL');
      assert.deepEqual(await Promise.all(hanging), ['no answer', 'no answer']);
      const taken = alice.quantity + bob.quantity;
      assert.equal(Number(await redis.get(k.stock)), STOCK - taken, 'units reserved once before the crash');
      assert.equal(await redis.hlen(k.orders), 2);
      const topic = prefix + ORDERS_TOPIC;
      /** The orderIds of every `order.placed` on the orders topic (which also carries order.confirmed). */
      const placedEvents = async () =>
        (await readRaw(brokers, topic))
          .filter((r) => r.headers.some(([n, v]) => n === 'ce_type' && v.toString() === OrderPlaced.type))
          .map((r) => r.key?.toString())
          .sort();
      assert.deepEqual(await placedEvents(), [], 'the crash came before any publish');

      // 4. Restart without the hook (production profile); retry each key with its body.
      const restarted = await service({});
      const waits: string[] = [];
      /** Retries until one answer is 202; every other answer must be the lease's 409 or the replay. */
      const retryUntilAccepted = (who: typeof alice, parallel: number) =>
        eventually(
          `a 202 for ${who === alice ? 'alice' : 'bob'}`,
          async () => {
            const answers = await Promise.all(
              Array.from({ length: parallel }, () => buy(restarted.baseUrl, who)),
            );
            for (const a of answers) {
              if (a.status === 409 && a.code === 'IDEMPOTENCY_KEY_IN_USE') {
                const sec = Number(a.retryAfter);
                assert.ok(sec >= 1 && sec <= LEASE_SEC, `Retry-After ${a.retryAfter} within the lease`);
                waits.push(`${who === alice ? 'alice' : 'bob'} ${sec}`);
              } else {
                assert.equal(a.status, 202, `only 409 IN_USE or 202 while retrying: ${a.status} ${a.body}`);
              }
            }
            const accepted = answers.filter((a) => a.status === 202);
            if (accepted.length === 0) return undefined;
            assert.ok(
              accepted.filter((a) => !a.replayed).length === 1 || accepted.every((a) => a.replayed),
              `one request of a round runs the placement, the others replay: ${JSON.stringify(accepted)}`,
            );
            return accepted[0]!;
          },
          { timeoutMs: (LEASE_SEC + 15) * 1000, intervalMs: 500 },
        );
      const aliceRetry = await retryUntilAccepted(alice, 1);
      const bobRetry = await retryUntilAccepted(bob, 2);
      t.diagnostic(`409 IDEMPOTENCY_KEY_IN_USE answers (who, Retry-After s): ${waits.join(', ') || 'none'}`);
      assert.equal(aliceRetry.orderId, orderOf(alice), 'the retry got the first attempt’s orderId');
      assert.equal(bobRetry.orderId, orderOf(bob), 'the racing retries got the first attempt’s orderId');

      // 5. The pipeline stores both; the stores show each order once.
      await eventually(
        'both orders confirmed in MySQL',
        async () => {
          const rows = await scratch.db
            .selectFrom('orders')
            .select(['id', 'status'])
            .where('sale_id', '=', sale.id)
            .execute();
          return rows.length === 2 && rows.every((r) => r.status === 'confirmed') ? rows : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, progress: () => restarted.output() },
      );
      const rows = await scratch.db
        .selectFrom('orders')
        .select(['id', 'user_id', 'quantity', 'status'])
        .where('sale_id', '=', sale.id)
        .orderBy('id')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.id, r.user_id, Number(r.quantity), r.status]),
        [...ownerOf]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([id, w]) => [id, w.sub, w.quantity, 'confirmed']),
        'exactly one row per first orderId',
      );
      const saleRow = await scratch.db
        .selectFrom('flash_sales')
        .select(['sold'])
        .where('id', '=', sale.id)
        .executeTakeFirstOrThrow();
      assert.equal(Number(saleRow.sold), taken, 'MySQL sold');
      assert.equal(Number(await redis.get(k.stock)), STOCK - taken, 'Redis remaining = stock − qty');
      assert.equal(await redis.hlen(k.orders), 2, 'no second reservation');
      for (const orderId of pausedOrders) assert.equal((await reservation(orderId))?.[0], 'confirmed');
      assert.deepEqual(await redis.hgetall(k.users), {
        [alice.sub]: String(alice.quantity),
        [bob.sub]: String(bob.quantity),
      });
      assert.deepEqual(
        await placedEvents(),
        [...pausedOrders].sort(),
        'one order.placed per order: only the retry that held the key published',
      );

      // 6. The key now replays the same answer, byte for byte.
      for (const [who, first] of [
        [alice, aliceRetry],
        [bob, bobRetry],
      ] as const) {
        const again = await buy(restarted.baseUrl, who);
        assert.equal(again.status, 202);
        assert.equal(again.body, first.body);
        assert.ok(again.replayed, 'marked as a replay');
      }
    },
  );
});
