import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startFaultProxy, type FaultProxy } from '@surge/resilience';
import { throwawayRedis, type ThrowawayRedis, eventually } from '@surge/test-support';
import { saleKeys } from '../modules/flash-sales/sale-stock.ts';
import { deleteTopicsWithPrefix } from '../testing/kafka-topics.ts';
import { assertUnavailable, call } from '../testing/outage-http.ts';
import {
  assertInvariants,
  assertOnlyAcceptedHeld,
  drained,
  placementCrowd,
} from '../testing/placement-crowd.ts';
import { scratchDatabase } from '../testing/scratch-database.ts';
import { serviceTokens, spawnService, waitFor, type ServiceProcess } from '../testing/spawn-service.ts';
import { createSale, openShop, postJson } from '../../storm/storm-shop.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
/** The test's own redis-server (throwaway-redis.ts): killed and restarted empty here. */
const REDIS_PORT = 16391;
const STOCK = 60;
const PER_USER_LIMIT = 10;

/**
 * Issue 9, placement outage acceptance, Redis row of the degradation table: while Redis is cut or
 * black-holed (a fault proxy) or dead (its server killed) a placement answers 503 + Retry-After
 * at once — never a 500, never a hang — and product reads go on; when Redis returns, placements
 * resume without a restart. When it returns empty (the data lost), the open sale stays closed —
 * nothing may put its full stock back, units were sold — until an operator's
 * `rebuild-stock`, which reopens it with stock − live units from MySQL; then it sells exactly
 * what is left.
 */
describe('placement while Redis is down: 503 fast, reads go on; after a data loss, rebuild-stock', () => {
  const scratch = scratchDatabase('placeredis');
  const prefix = `test-placeredis-${crypto.randomUUID().slice(0, 8)}-`;
  let server: ThrowawayRedis;
  let redis: Redis;
  let proxy: FaultProxy;
  let svc: ServiceProcess | undefined;
  before(async () => {
    server = await throwawayRedis({ port: REDIS_PORT });
    redis = new Redis(server.url, { maxRetriesPerRequest: 2 });
    redis.on('error', () => {}); // the test kills the server; this client reconnects by itself
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: REDIS_PORT } });
  });
  after(async () => {
    if (svc && svc.child.exitCode === null) svc.child.kill('SIGKILL');
    await svc?.exited;
    await proxy.close();
    redis.disconnect();
    await server.stop();
    await Promise.all([scratch.drop(), deleteTopicsWithPrefix(brokers, prefix)]);
  });

  it(
    'cut, black hole, killed: 503 + Retry-After, reads 200, resumes; restarted empty: closed until rebuild-stock; G1–G5',
    { timeout: 300_000 },
    async (t) => {
      svc = await spawnService({
        MYSQL_URL: scratch.url,
        REDIS_URL: `redis://${proxy.address}`,
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        LOAD_SHEDDING: 'false',
        // Warm-up rounds every half second: a round that puts a lost open sale back gets its chance.
        SALE_WARM_INTERVAL_MS: '500',
      });
      await waitFor(svc, '/health/ready', 200, 60_000);
      const service = svc;
      const shop = await openShop({
        baseUrl: service.baseUrl,
        db: scratch.db,
        tokens: await serviceTokens(service),
        units: STOCK,
        perUserLimit: PER_USER_LIMIT,
        buyers: 20,
      });
      // Starts in five minutes (inside the warm-up horizon), created after the open sale so the
      // warmer's rounds (by id) reach it last: its stock in Redis says a round has run.
      const later = await createSale(service.baseUrl, shop.admin, {
        units: 5,
        perUserLimit: 1,
        startsAt: new Date(Date.now() + 5 * 60_000),
      });
      const crowd = placementCrowd(service.baseUrl, shop);
      const alive = () =>
        assert.equal(service.child.exitCode, null, `the service exited:\n${service.output()}`);
      const reads = async (what: string) => {
        for (const path of [`/v1/products/${shop.productId}`, `/v1/flash-sales/${shop.saleId}`]) {
          const a = await call(service.baseUrl, 'GET', path);
          assert.equal(a.status, 200, `${path} ${what}: ${JSON.stringify(a)}`);
        }
      };
      const allAccepted = async (n: number, what: string) =>
        assert.deepEqual(
          (await crowd.wave(n)).filter((a) => a.status !== 202),
          [],
          `every placement accepted ${what}`,
        );
      const allUnavailable = async (n: number, what: string) => {
        const answers = await crowd.wave(n);
        for (const a of answers) assertUnavailable(`placement ${what}`, a);
        t.diagnostic(
          `${what}: 503 in ${Math.min(...answers.map((a) => a.ms))}–${Math.max(...answers.map((a) => a.ms))} ms`,
        );
      };

      await crowd.untilAccepted('a first placement while Redis is up');
      await allAccepted(10, 'while Redis is up');
      await reads('while Redis is up');

      for (const kind of ['cut', 'blackHole'] as const) {
        await proxy.set({ kind });
        await allUnavailable(10, `while Redis is ${kind}`);
        await reads(`while Redis is ${kind}`);
        alive();
        await proxy.heal();
        await crowd.untilAccepted(`a placement accepted after Redis ${kind} healed`);
        await allAccepted(10, `after Redis ${kind} healed`);
        await assertOnlyAcceptedHeld(redis, shop, STOCK, crowd);
      }

      // The operator's order: the pipeline drains, then Redis dies and comes back empty.
      await drained(scratch.db, crowd, 'every order accepted before the data loss in MySQL');
      const sold = crowd.acceptedUnits();
      await server.kill();
      await allUnavailable(5, 'while Redis is dead');
      await reads('while Redis is dead');
      alive();
      await server.start();
      await eventually('a warm-up round after Redis came back empty', async () =>
        (await redis.exists(saleKeys(later.saleId).stock)) === 1 ? true : undefined,
      );
      assert.equal(
        await redis.get(saleKeys(shop.saleId).stock),
        null,
        'an open sale Redis lost is not warmed again: only rebuild-stock knows what was sold',
      );
      await allUnavailable(5, 'while the sale is lost from Redis');
      await reads('while the sale is lost from Redis');

      const rebuilt = await postJson<{
        saleId: string;
        rebuilt: boolean;
        remaining: number;
        liveUnits: number;
      }>(service.baseUrl, `/v1/admin/flash-sales/${shop.saleId}/rebuild-stock`, shop.admin.authorization, {});
      assert.deepEqual(rebuilt, {
        saleId: shop.saleId,
        rebuilt: true,
        remaining: STOCK - sold,
        liveUnits: sold,
      });
      // Sells exactly what is left, then SOLD_OUT.
      const answers = await crowd.wave(STOCK - sold + 5);
      const by = (s: number) => answers.filter((a) => a.status === s).length;
      assert.equal(by(202), STOCK - sold, 'what is left is sold');
      assert.equal(by(409), 5, 'then sold out');
      assert.equal(await redis.get(saleKeys(shop.saleId).stock), '0');

      await drained(scratch.db, crowd, 'every accepted order in MySQL');
      const result = await assertInvariants(t, {
        db: scratch.db,
        redis,
        shop,
        stock: STOCK,
        perUserLimit: PER_USER_LIMIT,
        crowd,
      });
      t.diagnostic(JSON.stringify(result));
      alive();
      assert.doesNotMatch(
        service.output(),
        /"level":60|fatal error|unhandled error|UnhandledPromiseRejection/,
        'nothing fatal or unhandled in the log',
      );
    },
  );
});
