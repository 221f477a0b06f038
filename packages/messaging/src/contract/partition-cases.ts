import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Delivery } from '../message.ts';
import type { ContractContext } from './contract-context.ts';
import { scopedClients } from './contract-context.ts';
import { assertPerKeyOrder } from './order-cases.ts';
import { recorder } from './recorder.ts';
import { idsOf, newGroup, testMessages } from './test-messages.ts';
import { waitUntil } from './wait-until.ts';

const KEYS = 16;

/** A slow handler; one partition held up by a blocked or always-failing message. */
export function registerPartitionCases(c: ContractContext): void {
  const tr = c.transport;

  void it(
    'loses and repeats nothing when handlers run longer than the liveness timeouts',
    c.options(),
    async (t) => {
      const { publisher, subscriber, subscribe } = scopedClients(t, tr);
      const topic = await tr.newTopic();
      const sent = testMessages(12, { keys: 3 });
      const slow = new Set([sent[1]!.id, sent[7]!.id]);
      const rec = recorder((d) => (slow.has(d.id) ? delay(tr.slowHandlerMs) : undefined));
      await subscribe(await subscriber(), topic, newGroup('slow'), rec.handler);
      await (await publisher()).publish(topic, sent);

      const ids = idsOf(sent);
      await waitUntil(
        () => rec.missing(ids).length === 0,
        c.waitMs + 2 * tr.slowHandlerMs,
        () => rec.progress(ids),
      );
      assert.deepEqual([...rec.overlaps], [], 'a message was delivered again while its handler still ran');
      assert.equal(rec.acked().length, ids.length, 'a message was redelivered although no handler failed');
    },
  );

  void it(
    'keeps other partitions flowing while one partition waits on a blocked handler',
    c.options('multiplePartitions'),
    (t) => heldPartition(t, 'block'),
  );

  void it(
    "keeps a poison message's later messages waiting, never skipped, while other partitions flow",
    c.options('multiplePartitions'),
    (t) => heldPartition(t, 'reject'),
  );

  /**
   * One "probe" per key first (its delivery tells which partition the key lands on), then the
   * held message on the first key, then more messages for every key. While the held message is
   * blocked or keeps failing, every other partition must drain and nothing behind it in its own
   * partition may start; once released, its partition drains in order.
   */
  async function heldPartition(t: TestContext, mode: 'block' | 'reject') {
    const { scope, publisher, subscriber, subscribe } = scopedClients(t, tr);
    const topic = await tr.newTopic();
    const prefix = `held-${randomUUID().slice(0, 8)}`;
    const probes = testMessages(KEYS, { keys: KEYS, prefix });
    const held = testMessages(1, { keys: 1, prefix })[0]!;
    const rest = testMessages(KEYS * 4, { keys: KEYS, prefix });
    let release = () => {};
    const released = new Promise<void>((r) => (release = r));
    let healed = false;
    scope.defer(() => release());
    const rec = recorder(async (d) => {
      if (d.id !== held.id) return;
      if (mode === 'block') await released;
      else if (!healed) throw new Error('poison');
    });
    await subscribe(await subscriber(), topic, newGroup(`held-${mode}`), rec.handler);
    await (await publisher()).publish(topic, [...probes, held, ...rest]);

    const started = (id: string) =>
      rec.events.find((e) => e.kind === 'start' && e.delivery.id === id)?.delivery;
    const partitionOf = (key: string) =>
      probes.map((p) => started(p.id)).find((d) => d?.key === key)?.partition;
    const heldCalls = () => rec.events.filter((e) => e.kind === 'start' && e.delivery.id === held.id).length;
    const heldAt = () => started(held.id)?.partition;
    const elsewhere = () => rest.filter((m) => partitionOf(m.key) !== heldAt());
    await waitUntil(
      () =>
        heldCalls() >= (mode === 'block' ? 1 : 2) &&
        rec.missing(idsOf(probes)).length === 0 &&
        rec.missing(idsOf(elsewhere())).length === 0,
      c.waitMs,
      () =>
        `other partitions to drain while partition ${heldAt()} is held (held message started ` +
        `${heldCalls()} times; probes ${rec.progress(idsOf(probes))}; others ${rec.progress(idsOf(elsewhere()))})`,
    );

    assert.ok(
      elsewhere().length > 0,
      `all ${KEYS} keys landed on one partition: newTopic must provision several`,
    );
    const behind = rest.filter((m) => partitionOf(m.key) === heldAt());
    const overtaking = behind.filter((m) => started(m.id) !== undefined);
    assert.deepEqual(idsOf(overtaking), [], 'messages behind the held one in its partition were delivered');

    healed = true;
    release();
    const all = idsOf([...probes, held, ...rest]);
    await waitUntil(
      () => rec.missing(all).length === 0,
      c.waitMs,
      () => rec.progress(all),
    );
    const delivered: Delivery[] = rec.acked();
    assertPerKeyOrder([...probes, held, ...rest], delivered);
  }
}
