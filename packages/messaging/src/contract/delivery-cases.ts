import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ContractContext } from './contract-context.ts';
import { scopedClients } from './contract-context.ts';
import { recorder } from './recorder.ts';
import { chunks, idsOf, newGroup, testMessages } from './test-messages.ts';
import { waitUntil } from './wait-until.ts';

// `it` returns a promise the runner tracks itself; `void` tells the linter so (this is not a
// *.test.ts file, where the lint config already knows it).

/** Round trip, many concurrent publishers, several consumer groups. */
export function registerDeliveryCases(c: ContractContext): void {
  const tr = c.transport;

  void it(
    'delivers to a new group what was published before it subscribed, every attribute intact',
    c.options(),
    async (t) => {
      const { publisher, subscriber, subscribe } = scopedClients(t, tr);
      const topic = await tr.newTopic();
      const [withoutSubject, ...rest] = testMessages(6, { keys: 2 });
      const { subject: _dropped, ...noSubject } = withoutSubject!;
      const sent = [noSubject, ...rest];
      await (await publisher()).publish(topic, sent);

      const rec = recorder();
      await subscribe(await subscriber(), topic, newGroup('roundtrip'), rec.handler);
      await waitUntil(
        () => rec.missing(idsOf(sent)).length === 0,
        c.waitMs,
        () => rec.progress(idsOf(sent)),
      );

      for (const m of sent) {
        const d = rec.acked().find((x) => x.id === m.id);
        assert.ok(d);
        const {
          topic: from,
          partition,
          offset,
          timestamp,
          deliveryAttempt,
          malformed,
          raw: _raw,
          ...message
        } = d;
        assert.deepEqual(message, m, 'the delivered message differs from the published one');
        assert.equal(from, topic);
        assert.ok(Number.isInteger(partition) && partition >= 0, `partition ${partition}`);
        assert.ok(typeof offset === 'string' && offset.length > 0, `offset ${offset}`);
        assert.ok(Number.isFinite(timestamp) && timestamp > 0, `timestamp ${timestamp}`);
        assert.equal(deliveryAttempt, 1);
        assert.equal(malformed, undefined);
      }
    },
  );

  void it(
    'loses nothing when several publishers publish 1,200 messages concurrently',
    c.options(),
    async (t) => {
      const { publisher, subscriber, subscribe } = scopedClients(t, tr);
      const topic = await tr.newTopic();
      const rec = recorder();
      await subscribe(await subscriber(), topic, newGroup('concurrent'), rec.handler);
      const publishers = await Promise.all([publisher(), publisher(), publisher(), publisher()]);
      const sent = testMessages(1200, { keys: 24 });

      // Each publisher publishes its share as parallel batches while the subscriber consumes.
      await Promise.all(
        chunks(sent, 300).map((share, i) =>
          Promise.all(chunks(share, 50).map((batch) => publishers[i]!.publish(topic, batch))),
        ),
      );

      const ids = idsOf(sent);
      await waitUntil(
        () => rec.missing(ids).length === 0,
        c.waitMs,
        () => rec.progress(ids),
      );
      assert.deepEqual(rec.ackedIds(), new Set(ids), 'received ids differ from published ids');
    },
  );

  void it('gives every message to each of two consumer groups', c.options(), async (t) => {
    const { publisher, subscriber, subscribe } = scopedClients(t, tr);
    const topic = await tr.newTopic();
    const [a, b] = [recorder(), recorder()];
    await subscribe(await subscriber(), topic, newGroup('group-a'), a.handler);
    await subscribe(await subscriber(), topic, newGroup('group-b'), b.handler);
    const sent = testMessages(200, { keys: 8 });
    await (await publisher()).publish(topic, sent);

    const ids = idsOf(sent);
    await waitUntil(
      () => a.missing(ids).length === 0 && b.missing(ids).length === 0,
      c.waitMs,
      () => `group a: ${a.progress(ids)}; group b: ${b.progress(ids)}`,
    );
    assert.deepEqual(a.ackedIds(), new Set(ids));
    assert.deepEqual(b.ackedIds(), new Set(ids));
  });
}
