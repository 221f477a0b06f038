import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import type { ContractContext } from './contract-context.ts';
import { scopedClients } from './contract-context.ts';
import { recorder } from './recorder.ts';
import { idsOf, newGroup, testMessages } from './test-messages.ts';
import { waitUntil } from './wait-until.ts';

const FAILURES = 3;

/** A rejected delivery comes back, is counted, and holds up the rest of its partition. */
export function registerRedeliveryCases(c: ContractContext): void {
  const tr = c.transport;

  /** Publishes one key's messages; the handler rejects the first one `FAILURES` times. */
  async function failFirst(t: TestContext) {
    const { publisher, subscriber, subscribe } = scopedClients(t, tr);
    const topic = await tr.newTopic();
    const sent = testMessages(4, { keys: 1 });
    const first = sent[0]!;
    let failed = 0;
    const rec = recorder((d) => {
      if (d.id === first.id && failed < FAILURES) {
        failed++;
        throw new Error('planned handler failure');
      }
    });
    await subscribe(await subscriber(), topic, newGroup('redelivery'), rec.handler);
    await (await publisher()).publish(topic, sent);
    const ids = idsOf(sent);
    await waitUntil(
      () => rec.missing(ids).length === 0,
      c.waitMs,
      () => rec.progress(ids),
    );
    const calls = rec.events.filter((e) => e.kind === 'start' && e.delivery.id === first.id);
    return { rec, sent, first, calls };
  }

  void it(
    'redelivers a rejected message until it is acked, before any later message of its partition',
    c.options(),
    async (t) => {
      const { rec, sent, first, calls } = await failFirst(t);
      assert.equal(calls.length, FAILURES + 1, 'handler calls for the failing message');
      const firstAck = rec.events.findIndex((e) => e.kind === 'ack' && e.delivery.id === first.id);
      const later = new Set(idsOf(sent.slice(1)));
      const firstLaterStart = rec.events.findIndex((e) => e.kind === 'start' && later.has(e.delivery.id));
      assert.ok(
        firstLaterStart > firstAck,
        `a later message of the same key was delivered (event ${firstLaterStart}) before the failing one was acked (event ${firstAck})`,
      );
      assert.deepEqual(
        rec.acked().map((d) => d.id),
        idsOf(sent),
        'acked out of order or more than once',
      );
    },
  );

  void it('counts redeliveries in deliveryAttempt', c.options('deliveryAttempt'), async (t) => {
    const { calls } = await failFirst(t);
    const attempts = calls.map((e) => e.delivery.deliveryAttempt);
    assert.equal(attempts[0], 1, `attempts ${attempts.join(', ')}`);
    for (let i = 1; i < attempts.length; i++) {
      assert.ok(attempts[i]! > attempts[i - 1]!, `deliveryAttempt does not increase: ${attempts.join(', ')}`);
    }
  });
}
