import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Delivery } from '../message.ts';
import { testMessages, type TestData } from '../contract/test-messages.ts';
import { waitUntil } from '../contract/wait-until.ts';
import { kafkaClients, testBrokers } from './testing/kafka-test-clients.ts';

/**
 * The optional batch handler on the Kafka transport: records already buffered behind a
 * partition's head are handed over together, every record is handled once and in per-key
 * order, and a refused batch is handled again record by record.
 */
describe('kafka subscriber: batch handler', () => {
  const clients = kafkaClients(testBrokers());

  async function consume(opts: { refuseBatches: boolean }) {
    const topic = await clients.newTopic();
    const publisher = await clients.createPublisher();
    const messages = testMessages(300, { keys: 12 });
    // Published before subscribing: the subscriber starts behind, with whole fetches buffered.
    for (let i = 0; i < messages.length; i += 50) await publisher.publish(topic, messages.slice(i, i + 50));
    await publisher.close();
    const handled: Array<{ id: string; data: TestData; via: 'one' | 'batch' }> = [];
    const batchSizes: number[] = [];
    const subscriber = await clients.createSubscriber();
    const record = (d: Delivery, via: 'one' | 'batch') =>
      handled.push({ id: d.id, data: d.data as TestData, via });
    try {
      await subscriber.subscribe({
        topic,
        group: `surge-test-group-${crypto.randomUUID()}`,
        handler: (d) => Promise.resolve(void record(d, 'one')),
        batch: {
          maxRecords: 25,
          handler: (ds) => {
            batchSizes.push(ds.length);
            if (opts.refuseBatches) return Promise.reject(new Error('batch refused'));
            for (const d of ds) record(d, 'batch');
            return Promise.resolve();
          },
        },
      });
      await waitUntil(
        () => new Set(handled.map((h) => h.id)).size === messages.length,
        45_000,
        () => `${new Set(handled.map((h) => h.id)).size}/${messages.length} handled`,
      );
    } finally {
      await subscriber.close();
    }
    const ids = handled.map((h) => h.id);
    assert.equal(ids.length, new Set(ids).size, 'no record handled twice');
    for (const key of new Set(messages.map((m) => m.key))) {
      const seqs = handled.filter((h) => h.data.key === key).map((h) => h.data.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        `key ${key} in order`,
      );
    }
    return { handled, batchSizes };
  }

  it('hands buffered records over in batches of at most maxRecords, each record once, in key order', async () => {
    const { handled, batchSizes } = await consume({ refuseBatches: false });
    assert.ok(
      batchSizes.some((n) => n > 1),
      `some batch held several records: ${batchSizes.join(',')}`,
    );
    assert.ok(
      batchSizes.every((n) => n >= 2 && n <= 25),
      `batches between 2 and 25: ${batchSizes.join(',')}`,
    );
    assert.ok(handled.filter((h) => h.via === 'batch').length > handled.length / 2);
  });

  it('handles every record of a refused batch alone through the one-record handler', async () => {
    const { handled, batchSizes } = await consume({ refuseBatches: true });
    assert.ok(batchSizes.length > 0, 'batches were offered');
    assert.ok(handled.every((h) => h.via === 'one'));
  });
});
