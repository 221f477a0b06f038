import { Admin } from '@platformatic/kafka';
import { provisionTopics } from '@surge/messaging';
import { ORDERS_TOPIC } from '../../src/modules/orders/order-events.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/**
 * Creates the orders topic under `prefix` as the worker role would (a service started with role
 * `api` publishes to it but never provisions it); 6 partitions, as the orders module declares.
 */
export async function provisionOrdersTopic(prefix: string): Promise<string> {
  const name = `${prefix}${ORDERS_TOPIC}`;
  await provisionTopics({ brokers, clientId: 'surge-bench' }, [{ name, partitions: 6 }]);
  return name;
}

/** Deletes every topic whose name starts with `prefix` (the bench's own); never throws. */
export async function deleteTopicsWithPrefix(prefix: string): Promise<void> {
  const admin = new Admin({ clientId: 'surge-bench', bootstrapBrokers: brokers, timeout: 10_000 });
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } catch {
    // a leftover bench topic is harmless: its name is unique
  } finally {
    await admin.close();
  }
}
