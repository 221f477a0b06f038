import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startFaultProxy, type FaultProxy } from '@surge/resilience';
import { testRedisUrl, eventually } from '@surge/test-support';
import { saleKeys } from '../modules/flash-sales/sale-stock.ts';
import { deleteTopicsWithPrefix } from '../testing/kafka-topics.ts';
import { assertInvariants, drained, placementCrowd } from '../testing/placement-crowd.ts';
import { scratchDatabase } from '../testing/scratch-database.ts';
import { serviceTokens, spawnService, waitFor, type ServiceProcess } from '../testing/spawn-service.ts';
import { openShop, type Shop } from '../../storm/storm-shop.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const STOCK = 200;
const PER_USER_LIMIT = 10;

/**
 * Issue 9, placement outage acceptance, MySQL row of the degradation table: placement never
 * touches MySQL, so while the service's MySQL is cut or black-holed placements are still accepted;
 * the order-writer waits, and after healing writes every accepted order exactly once (a black hole
 * may commit a transaction whose client already gave up: the retry must find it, not add another).
 */
describe('placement while MySQL is down: still 202; after healing every order written once', () => {
  const scratch = scratchDatabase('placemysql');
  const prefix = `test-placemysql-${crypto.randomUUID().slice(0, 8)}-`;
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 2 });
  let proxy: FaultProxy;
  let svc: ServiceProcess | undefined;
  let shop: Shop | undefined;
  before(async () => {
    const direct = new URL(scratch.url);
    proxy = await startFaultProxy({ target: { host: direct.hostname, port: Number(direct.port || 3306) } });
  });
  after(async () => {
    if (svc && svc.child.exitCode === null) svc.child.kill('SIGKILL');
    await svc?.exited;
    await proxy.close();
    if (shop) await redis.unlink(...Object.values(saleKeys(shop.saleId)));
    redis.disconnect();
    await Promise.all([scratch.drop(), deleteTopicsWithPrefix(brokers, prefix)]);
  });

  it(
    'cut, black hole: placements 202; nothing written meanwhile; then each order once; G1–G5',
    { timeout: 300_000 },
    async (t) => {
      const viaProxy = new URL(scratch.url);
      viaProxy.host = proxy.address;
      svc = await spawnService({
        MYSQL_URL: viaProxy.toString(),
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        LOAD_SHEDDING: 'false',
      });
      await waitFor(svc, '/health/ready', 200, 60_000);
      const service = svc;
      // Buyers are rows the test writes directly (the test's own connection bypasses the proxy).
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

      await crowd.untilAccepted('a first placement while MySQL is up');
      assert.deepEqual(
        (await crowd.wave(20)).filter((a) => a.status !== 202),
        [],
        'every placement accepted while MySQL is up',
      );
      await drained(scratch.db, crowd, 'the orders placed before the fault in MySQL');

      for (const kind of ['cut', 'blackHole'] as const) {
        const logFrom = service.output().length;
        await proxy.set({ kind });
        const during = await crowd.wave(30);
        assert.deepEqual(
          during.filter((a) => a.status !== 202),
          [],
          `every placement accepted while MySQL is ${kind}`,
        );
        t.diagnostic(
          `MySQL ${kind}: 202 in ${Math.min(...during.map((a) => a.ms))}–${Math.max(...during.map((a) => a.ms))} ms`,
        );
        // The fault is real: none of them reached MySQL (read past the proxy).
        const ids = during.map((a) => String(a.body.orderId));
        const written = await scratch.db.selectFrom('orders').select('id').where('id', 'in', ids).execute();
        assert.deepEqual(written, [], `nothing written while MySQL is ${kind}`);
        // Healed only once the order-writer has met the fault (a black hole: once a query timed out).
        const retried = /"handler":"order-writer"[^\n]*message handling failed; retrying/;
        await eventually(`the order-writer to fail on MySQL ${kind} and retry`, () =>
          Promise.resolve(retried.test(service.output().slice(logFrom)) ? true : undefined),
        );
        alive();
        await proxy.heal();
        await drained(scratch.db, crowd, `every accepted order in MySQL after the ${kind} healed`);
        alive();
      }

      const result = await assertInvariants(t, {
        db: scratch.db,
        redis,
        shop,
        stock: STOCK,
        perUserLimit: PER_USER_LIMIT,
        crowd,
      });
      assert.equal(result.refusedButWritten, 0, 'nothing was refused, so nothing else is written');
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
