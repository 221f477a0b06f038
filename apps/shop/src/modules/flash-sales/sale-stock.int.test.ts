import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { testRedisUrl } from '@surge/test-support';
import { createSaleStock, saleKeys } from './sale-stock.ts';

const HOUR = 3_600_000;

describe('sale stock scripts (real Redis): reserve, mark-published, confirm, release', () => {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  // Several connections, so concurrent reserves really interleave at Redis, not in one socket's order.
  const crowd = Array.from({ length: 8 }, () => new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 }));
  const sales: string[] = [];
  const stock = createSaleStock(redis, { tombstoneTtlMs: HOUR });
  const crowdStock = crowd.map((c) => createSaleStock(c, { tombstoneTtlMs: HOUR }));

  before(() => Promise.all([redis, ...crowd].map((c) => once(c, 'ready'))));
  after(async () => {
    try {
      const keys = sales.flatMap((id) => Object.values(saleKeys(id)));
      if (keys.length > 0) await redis.unlink(...keys);
    } finally {
      for (const c of [redis, ...crowd]) c.disconnect();
    }
  });

  async function openSale(units: number, perUserLimit: number, window = { fromMs: -HOUR, toMs: HOUR }) {
    const saleId = randomUUID();
    sales.push(saleId);
    const now = Date.now();
    const warmed = await stock.warm(
      saleId,
      {
        stock: units,
        startsAtMs: now + window.fromMs,
        endsAtMs: now + window.toMs,
        perUserLimit,
        expireAtMs: now + 2 * HOUR,
      },
      'new',
    );
    assert.deepEqual(warmed, { warmed: true, remaining: units });
    return saleId;
  }

  it('never sells more than the stock, with hundreds of concurrent reserves on several connections', async () => {
    const saleId = await openSale(50, 3);
    const attempts = Array.from({ length: 400 }, (_, i) => ({
      orderId: randomUUID(),
      userId: `user-${i % 120}`,
      quantity: 1 + (i % 3),
    }));
    const results = await Promise.all(
      attempts.map((order, i) => crowdStock[i % crowdStock.length]!.reserve(saleId, order)),
    );
    const taken = attempts.reduce((sum, o, i) => sum + (results[i]!.kind === 'reserved' ? o.quantity : 0), 0);
    const remaining = await stock.remaining(saleId);
    assert.ok(taken <= 50, `took ${taken} of 50`);
    assert.equal(remaining, 50 - taken, 'remaining + reserved units = stock');
    // With 400 attempts for 50 units the sale must end (nearly) empty: only a request bigger than
    // the last units can be refused while some are left.
    assert.ok(remaining < 3, `remaining ${remaining}`);
    assert.ok(results.some((r) => r.kind === 'soldOut'));
    // Per user, from the store itself: units held never pass the limit.
    const held = await redis.hgetall(saleKeys(saleId).users);
    for (const [user, units] of Object.entries(held)) assert.ok(Number(units) <= 3, `${user} holds ${units}`);
    const sumHeld = Object.values(held).reduce((s, u) => s + Number(u), 0);
    assert.equal(sumHeld, taken);
  });

  it('enforces the per-user limit across parallel orders of one user', async () => {
    const saleId = await openSale(1_000, 2);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        crowdStock[i % crowdStock.length]!.reserve(saleId, {
          orderId: randomUUID(),
          userId: 'u1',
          quantity: 1,
        }),
      ),
    );
    assert.equal(results.filter((r) => r.kind === 'reserved').length, 2);
    assert.equal(results.filter((r) => r.kind === 'limitExceeded').length, 28);
    assert.equal(await stock.remaining(saleId), 998);
  });

  it('is idempotent by orderId: a second reserve takes nothing and reports the first state', async () => {
    const saleId = await openSale(10, 5);
    const order = { orderId: randomUUID(), userId: 'u1', quantity: 2 };
    assert.deepEqual(await stock.reserve(saleId, order), { kind: 'reserved', remaining: 8 });
    assert.deepEqual(await stock.reserve(saleId, order), {
      kind: 'already',
      state: 'reserved',
      remaining: 8,
    });
    assert.equal(await stock.markPublished(saleId, order.orderId), 'published');
    assert.equal(await stock.markPublished(saleId, order.orderId), 'published');
    assert.deepEqual(await stock.reserve(saleId, { ...order, quantity: 1 }), {
      kind: 'already',
      state: 'published',
      remaining: 8,
    });
    assert.equal(await stock.confirm(saleId, order.orderId), 'confirmed');
    assert.equal(await stock.confirm(saleId, order.orderId), 'confirmed');
    assert.equal(
      await stock.markPublished(saleId, order.orderId),
      'confirmed',
      'never moves a confirmed one back',
    );
    assert.equal(await redis.zcard(saleKeys(saleId).open), 0, 'a confirmed reservation is no longer open');
  });

  it('releases once, returns units and the user limit, and leaves a tombstone a late reserve cannot pass', async () => {
    const saleId = await openSale(4, 2);
    const order = { orderId: randomUUID(), userId: 'u1', quantity: 2 };
    await stock.reserve(saleId, order);
    assert.equal(
      (await stock.reserve(saleId, { orderId: randomUUID(), userId: 'u1', quantity: 1 })).kind,
      'limitExceeded',
    );
    assert.deepEqual(await stock.release(saleId, order.orderId), { kind: 'released', remaining: 4 });
    assert.deepEqual(await stock.release(saleId, order.orderId), { kind: 'alreadyReleased' });
    assert.equal(await stock.remaining(saleId), 4, 'a second release returns nothing');
    assert.deepEqual(await stock.reserve(saleId, order), {
      kind: 'already',
      state: 'released',
      remaining: 4,
    });
    assert.equal(await stock.confirm(saleId, order.orderId), 'released', 'the order-writer must reject it');
    assert.equal(await redis.hexists(saleKeys(saleId).users, 'u1'), 0, 'the user holds nothing again');
    assert.equal(
      (await stock.reserve(saleId, { orderId: randomUUID(), userId: 'u1', quantity: 2 })).kind,
      'reserved',
      'the limit is free again',
    );
  });

  it('tombstones an orderId released before its reserve arrived', async () => {
    const saleId = await openSale(5, 5);
    const orderId = randomUUID();
    assert.deepEqual(await stock.release(saleId, orderId), { kind: 'unknown' });
    assert.deepEqual(await stock.reserve(saleId, { orderId, userId: 'u1', quantity: 1 }), {
      kind: 'already',
      state: 'released',
      remaining: 5,
    });
    assert.equal(await stock.remaining(saleId), 5);
  });

  it('reconciliation mode releases only reservations that were never published', async () => {
    const saleId = await openSale(10, 10);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    for (const orderId of [a, b, c]) await stock.reserve(saleId, { orderId, userId: 'u1', quantity: 1 });
    await stock.markPublished(saleId, b);
    await stock.confirm(saleId, c);
    assert.deepEqual(await stock.release(saleId, a, 'unpublished'), { kind: 'released', remaining: 8 });
    assert.deepEqual(await stock.release(saleId, b, 'unpublished'), { kind: 'kept', state: 'published' });
    assert.deepEqual(await stock.release(saleId, c, 'unpublished'), { kind: 'kept', state: 'confirmed' });
    assert.deepEqual(await redis.zrange(saleKeys(saleId).open, 0, -1), [b]);
    // A cancelled order returns its units whatever its state.
    assert.deepEqual(await stock.release(saleId, c), { kind: 'released', remaining: 9 });
  });

  it('answers NOT_STARTED, ENDED and NO_SALE from Redis state and clock, taking nothing', async () => {
    const early = await openSale(5, 1, { fromMs: HOUR, toMs: 2 * HOUR });
    const late = await openSale(5, 1, { fromMs: -2 * HOUR, toMs: -HOUR });
    const order = () => ({ orderId: randomUUID(), userId: 'u1', quantity: 1 });
    assert.equal((await stock.reserve(early, order())).kind, 'notStarted');
    assert.equal((await stock.reserve(late, order())).kind, 'ended');
    assert.equal((await stock.reserve(randomUUID(), order())).kind, 'noSale');
    assert.equal(await stock.remaining(early), 5);
    assert.equal(await stock.remaining(late), 5);
  });

  it('warms idempotently: a second warm, or one during the sale, never adds units', async () => {
    const saleId = await openSale(3, 3);
    await stock.reserve(saleId, { orderId: randomUUID(), userId: 'u1', quantity: 2 });
    const now = Date.now();
    const window = {
      stock: 3,
      startsAtMs: now - HOUR,
      endsAtMs: now + HOUR,
      perUserLimit: 3,
      expireAtMs: now + 2 * HOUR,
    };
    assert.deepEqual(await stock.warm(saleId, window, 'new'), { warmed: false, remaining: 1 });
    assert.deepEqual(await stock.warm(saleId, window, 'beforeStart'), { warmed: false, remaining: 1 });
    const ttl = await redis.pttl(saleKeys(saleId).orders);
    assert.ok(ttl > 0, 'every key of the sale expires');
  });

  it('the warmer puts no stock into a started sale Redis lost (it sold units: rebuild-stock decides)', async () => {
    const saleId = await openSale(3, 3);
    await stock.reserve(saleId, { orderId: randomUUID(), userId: 'u1', quantity: 2 });
    await redis.unlink(...Object.values(saleKeys(saleId))); // Redis lost the sale
    const now = Date.now();
    const window = {
      stock: 3,
      startsAtMs: now - HOUR,
      endsAtMs: now + HOUR,
      perUserLimit: 3,
      expireAtMs: now + 2 * HOUR,
    };
    assert.deepEqual(await stock.warm(saleId, window, 'beforeStart'), { warmed: false, lost: true });
    assert.equal(await stock.remaining(saleId), undefined, 'nothing written');
    // Before it opens, the warmer does put the stock.
    const upcoming = randomUUID();
    sales.push(upcoming);
    const later = { ...window, startsAtMs: now + HOUR, endsAtMs: now + 2 * HOUR };
    assert.deepEqual(await stock.warm(upcoming, later, 'beforeStart'), { warmed: true, remaining: 3 });
  });
});
