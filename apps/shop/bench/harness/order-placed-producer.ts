// P6's producer, in its own process: `order.placed` events at a fixed rate, each after reserving
// its units in Redis as placement does (so the order-writer's confirm finds a reservation). Every
// 10 ms it reserves the tick's orders and publishes them in one call; `placedAt` is stamped just
// before the publish. Prints one JSON line: events sent, the achieved rate, publish failures.
//   node order-placed-producer.ts <topic> <saleId> <rate/s> <seconds> <users>
import { createKafkaPublisher } from '@surge/messaging';
import { Redis } from 'ioredis';
import { v7 as uuidv7 } from 'uuid';
import { EVENT_SOURCE } from '../../src/context.ts';
import { createSaleStock } from '../../src/modules/flash-sales/sale-stock.ts';
import { OrderPlaced } from '../../src/modules/orders/order-events.ts';

const [topic = '', saleId = '', rateArg = '1000', secondsArg = '20', usersArg = '1000'] =
  process.argv.slice(2);
const rate = Number(rateArg);
const total = Math.round(rate * Number(secondsArg));
const users = Array.from({ length: Number(usersArg) }, () => uuidv7());
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const stock = createSaleStock(redis, { tombstoneTtlMs: 3_600_000 });
const publisher = createKafkaPublisher({
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  clientId: 'surge-bench-p6',
});

const TICK_MS = 10;
let sent = 0;
let failed = 0;
let late = 0;
const inFlight = new Set<Promise<void>>();
const start = performance.now();
for (let tick = 0; sent < total; tick++) {
  const due = Math.min(total, Math.round(((tick + 1) * TICK_MS * rate) / 1000));
  const orders = Array.from({ length: due - sent }, (_, i) => ({
    orderId: uuidv7(),
    userId: users[(sent + i) % users.length] ?? '',
    quantity: 1,
  }));
  sent = due;
  const work = (async () => {
    await Promise.all(orders.map((o) => stock.reserve(saleId, o)));
    const placedAt = new Date().toISOString();
    const events = orders.map((o) =>
      OrderPlaced.create(
        { ...o, saleId, priceCents: 49_900, placedAt },
        { key: o.orderId, subject: o.orderId, source: EVENT_SOURCE },
      ),
    );
    await publisher.publish(topic, events);
  })().catch(() => {
    failed += orders.length;
  });
  inFlight.add(work);
  void work.finally(() => inFlight.delete(work));
  const wait = start + (tick + 1) * TICK_MS - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  else late++;
}
await Promise.all(inFlight);
const elapsedS = (performance.now() - start) / 1000;
await publisher.close();
redis.disconnect();
process.stdout.write(`${JSON.stringify({ sent, failed, ratePerSec: sent / elapsedS, lateTicks: late })}\n`);
