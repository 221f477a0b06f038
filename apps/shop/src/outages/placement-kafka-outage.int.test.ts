import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startFaultProxy, type FaultProxy } from '@surge/resilience';
import { testRedisUrl, throwawayKafka, type ThrowawayKafka } from '@surge/test-support';
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
import { openShop, type Shop } from '../../storm/storm-shop.ts';

/** The throwaway broker's port (controller on the next one), below the ephemeral range (throwaway-kafka.ts). */
const BROKER_PORT = 29592;
const STOCK = 200;
const PER_USER_LIMIT = 10;

/**
 * Issue 9, placement outage acceptance, Kafka row of the degradation table: while the broker is
 * cut or black-holed a placement answers 503 + Retry-After within its publish budget (a black hole
 * gives no error: only the budget can end the request) and gives its units back; after healing,
 * placements are accepted again without a restart, and G1–G5 hold over everything answered.
 */
describe('placement while Kafka is down: 503 within the budget, units back, resumes after healing', () => {
  const scratch = scratchDatabase('placekafka');
  const prefix = `test-placekafka-${crypto.randomUUID().slice(0, 8)}-`;
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 2 });
  let proxy: FaultProxy;
  let kafka: ThrowawayKafka;
  let svc: ServiceProcess | undefined;
  let shop: Shop | undefined;
  before(
    async () => {
      proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: BROKER_PORT } });
      kafka = throwawayKafka(BROKER_PORT, { advertisedPort: proxy.port });
      await kafka.up();
    },
    { timeout: 200_000 },
  );
  after(
    async () => {
      if (svc && svc.child.exitCode === null) svc.child.kill('SIGKILL');
      await svc?.exited;
      await proxy.heal();
      if (shop) await redis.unlink(...Object.values(saleKeys(shop.saleId)));
      redis.disconnect();
      await Promise.all([scratch.drop(), deleteTopicsWithPrefix(kafka.brokers, prefix)]);
      await kafka.down();
      await proxy.close();
    },
    { timeout: 90_000 },
  );

  it(
    'cut, black hole: every placement 503 + Retry-After, nothing held; heals; G1–G5',
    { timeout: 300_000 },
    async (t) => {
      svc = await spawnService({
        MYSQL_URL: scratch.url,
        KAFKA_BROKERS: kafka.brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        ORDER_PUBLISH_TIMEOUT_MS: '500',
        // Outcomes, not capacity: a busy test machine must not turn placements into 503 OVERLOADED.
        LOAD_SHEDDING: 'false',
      });
      await waitFor(svc, '/health/ready', 200, 60_000);
      const service = svc;
      shop = await openShop({
        baseUrl: service.baseUrl,
        db: scratch.db,
        tokens: await serviceTokens(service),
        units: STOCK,
        perUserLimit: PER_USER_LIMIT,
        buyers: 20,
      });
      const crowd = placementCrowd(service.baseUrl, shop);
      const alive = () =>
        assert.equal(service.child.exitCode, null, `the service exited:\n${service.output()}`);

      // The worker provisions the orders topic in the background: the first 202 says it is there.
      await crowd.untilAccepted('a first placement while Kafka is up');
      const before = await crowd.wave(20);
      assert.deepEqual(
        before.filter((a) => a.status !== 202),
        [],
        'every placement accepted while Kafka is up',
      );

      for (const kind of ['cut', 'blackHole'] as const) {
        await proxy.set({ kind });
        const during = await crowd.wave(20);
        for (const a of during) assertUnavailable(`placement during Kafka ${kind}`, a);
        t.diagnostic(
          `Kafka ${kind}: 503 in ${Math.min(...during.map((a) => a.ms))}–${Math.max(...during.map((a) => a.ms))} ms`,
        );
        await assertOnlyAcceptedHeld(redis, shop, STOCK, crowd);
        const product = await call(service.baseUrl, 'GET', `/v1/products/${shop.productId}`);
        assert.equal(product.status, 200, `product read during Kafka ${kind}`);
        alive();

        await proxy.heal();
        await crowd.untilAccepted(`a placement accepted after Kafka ${kind} healed`);
        const healed = await crowd.wave(20);
        assert.deepEqual(
          healed.filter((a) => a.status !== 202),
          [],
          `every placement accepted after Kafka ${kind} healed`,
        );
        alive();
      }

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
