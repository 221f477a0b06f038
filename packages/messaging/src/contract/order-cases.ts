import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import type { Delivery, Message } from '../message.ts';
import type { ContractContext } from './contract-context.ts';
import { scopedClients } from './contract-context.ts';
import { recorder } from './recorder.ts';
import { chunks, idsOf, newGroup, testMessages } from './test-messages.ts';
import { waitUntil } from './wait-until.ts';

/**
 * Asserts that, per key, the first delivery of each message follows the published order
 * (redeliveries of an already-seen message do not count as reordering).
 */
export function assertPerKeyOrder(sent: readonly Message[], delivered: readonly Delivery[]): void {
  const expected = new Map<string, string[]>();
  for (const m of sent) expected.set(m.key, [...(expected.get(m.key) ?? []), m.id]);
  const seen = new Set<string>();
  const actual = new Map<string, string[]>();
  for (const d of delivered) {
    if (seen.has(d.id)) continue;
    seen.add(d.id);
    actual.set(d.key, [...(actual.get(d.key) ?? []), d.id]);
  }
  for (const [key, ids] of expected) {
    assert.deepEqual(actual.get(key), ids, `messages of key ${key} were not delivered in published order`);
  }
}

/** Per-key order, with one group member and (where promised) with two. */
export function registerOrderCases(c: ContractContext): void {
  const tr = c.transport;

  async function run(t: TestContext, members: number) {
    const { publisher, subscriber, subscribe } = scopedClients(t, tr);
    const topic = await tr.newTopic();
    const group = newGroup(`order-${members}`);
    const rec = recorder();
    for (let i = 0; i < members; i++) await subscribe(await subscriber(), topic, group, rec.handler);
    const sent = testMessages(500, { keys: 20 });
    const pub = await publisher();
    // One batch after the other: the publish order across batches is then defined.
    for (const batch of chunks(sent, 50)) await pub.publish(topic, batch);

    const ids = idsOf(sent);
    await waitUntil(
      () => rec.missing(ids).length === 0,
      c.waitMs,
      () => rec.progress(ids),
    );
    assertPerKeyOrder(sent, rec.acked());
  }

  void it('keeps per-key order for interleaved keys (one member)', c.options(), (t) => run(t, 1));

  void it(
    'keeps per-key order while two members of one group share the topic',
    c.options('keyOrderAcrossMembers'),
    (t) => run(t, 2),
  );
}
