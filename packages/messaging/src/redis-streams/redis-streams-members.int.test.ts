// Redis Streams specifics of group members: keeping held entries, handing them back on close,
// stable consumer names, sweeping dead consumers, a deleted stream, and a prompt close.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { recorder } from '../contract/recorder.ts';
import { idsOf, testMessages } from '../contract/test-messages.ts';
import { waitUntil } from '../contract/wait-until.ts';
import { parseConsumers } from './stream-replies.ts';
import { behaviourSuite } from './testing/behaviour-setup.ts';

const WAIT_MS = 10_000;
const { setup } = behaviourSuite();

describe('redis streams: group members', () => {
  it('keeps a batch queued behind slow handlers from being claimed by an idle member', async (t) => {
    const { stream, publisher, subscriber, subscribe } = setup(t);
    // One member reads the whole batch, which takes ~1.5 s, five times claimIdleMs; the other,
    // idle, checks for claimable entries all along. Only the keepalive prevents a takeover.
    const rec = recorder(() => delay(150));
    const options = { claimIdleMs: 300, batchSize: 10, blockMs: 50 };
    await subscribe(subscriber(options), 'g', rec.handler);
    const sent = testMessages(10);
    await publisher.publish(stream, sent);
    await waitUntil(() => rec.events.length > 0, WAIT_MS, 'the first member to start');
    await subscribe(subscriber(options), 'g', rec.handler);
    await waitUntil(
      () => rec.missing(idsOf(sent)).length === 0,
      WAIT_MS,
      () => rec.progress(idsOf(sent)),
    );
    assert.deepEqual([...rec.overlaps], [], 'an entry was handled by both members at once');
    assert.equal(rec.acked().length, sent.length, 'an entry was handled twice');
  });

  it('hands back unhandled entries on close: the next member takes them at once, as first attempts', async (t) => {
    const { stream, scope, publisher, subscriber, subscribe } = setup(t);
    // claimIdleMs far beyond the wait: only the hand-back can explain a quick takeover.
    const options = { claimIdleMs: 60_000, batchSize: 50 };
    const sent = testMessages(50);
    await publisher.publish(stream, sent);
    const first = recorder(() => delay(20));
    const firstSubscriber = subscriber(options);
    await subscribe(firstSubscriber, 'g', first.handler);
    await waitUntil(
      () => first.acked().length >= 5,
      WAIT_MS,
      () => first.progress(idsOf(sent)),
    );
    await scope.closeNow(firstSubscriber);

    const second = recorder();
    await subscribe(subscriber(options), 'g', second.handler);
    const seen = () =>
      idsOf(sent).filter((id) => first.ackedIds().has(id) || second.ackedIds().has(id)).length;
    await waitUntil(
      () => seen() === sent.length,
      WAIT_MS,
      () => `${seen()}/${sent.length}`,
    );
    assert.ok(second.acked().length > 0);
    assert.deepEqual(new Set(second.acked().map((d) => d.deliveryAttempt)), new Set([1]));
  });

  it('takes back its own pending entries at once under a stable consumer name, counting the attempt', async (t) => {
    const { redis, stream, publisher, subscriber, subscribe } = setup(t);
    await redis.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
    const sent = testMessages(8);
    await publisher.publish(stream, sent);
    // The same name read five entries, then its process died.
    await redis.xreadgroup('GROUP', 'g', 'worker-1', 'COUNT', 5, 'STREAMS', stream, '>');
    const rec = recorder();
    await subscribe(subscriber({ consumerName: 'worker-1', claimIdleMs: 60_000 }), 'g', rec.handler);
    await waitUntil(
      () => rec.missing(idsOf(sent)).length === 0,
      WAIT_MS,
      () => rec.progress(idsOf(sent)),
    );
    assert.deepEqual(
      rec.acked().map((d) => [d.id, d.deliveryAttempt]),
      sent.map((m, i) => [m.id, i < 5 ? 2 : 1]),
    );
  });

  it('deletes its consumer on a clean close, and sweeps consumers that hold nothing and went quiet', async (t) => {
    const { redis, stream, scope, publisher, subscriber, subscribe } = setup(t);
    await redis.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
    await redis.xgroup('CREATECONSUMER', stream, 'g', 'long-gone');
    const consumers = async () =>
      parseConsumers(await redis.xinfo('CONSUMERS', stream, 'g')).map((c) => c.name);
    const rec = recorder();
    const closing = subscriber({ claimIdleMs: 1000 });
    await subscribe(closing, 'g', rec.handler);
    await publisher.publish(stream, testMessages(1));
    await waitUntil(() => rec.acked().length === 1, WAIT_MS, 'a delivery');
    assert.equal((await consumers()).length, 2);
    await scope.closeNow(closing);
    assert.deepEqual(await consumers(), ['long-gone']);

    // Sweeping waits for ten claimIdleMs of silence: 10 × 20 ms here.
    await subscribe(subscriber({ claimIdleMs: 20, blockMs: 20 }), 'g', recorder().handler);
    await waitUntil(async () => !(await consumers()).includes('long-gone'), WAIT_MS, 'the sweep');
  });

  it('recreates its group and goes on when the stream is deleted under it', async (t) => {
    const { redis, stream, publisher, subscriber, subscribe } = setup(t);
    const rec = recorder();
    await subscribe(subscriber(), 'g', rec.handler);
    const before = testMessages(3);
    await publisher.publish(stream, before);
    await waitUntil(
      () => rec.missing(idsOf(before)).length === 0,
      WAIT_MS,
      () => rec.progress(idsOf(before)),
    );
    await redis.del(stream);
    const after = testMessages(3);
    await publisher.publish(stream, after);
    await waitUntil(
      () => rec.missing(idsOf(after)).length === 0,
      WAIT_MS,
      () => rec.progress(idsOf(after)),
    );
  });

  it('closes without waiting out a long blocking read', async (t) => {
    const { redis, scope, subscriber, subscribe } = setup(t);
    const name = `blocked-${randomUUID()}`;
    const sub = subscriber({ blockMs: 60_000, closeTimeoutMs: 30_000, consumerName: name });
    await subscribe(sub, 'g', recorder().handler);
    const blocked = async () =>
      String(await redis.client('LIST'))
        .split('\n')
        .some((line) => line.includes(`name=surge-streams:${name}:reads`) && line.includes('cmd=xreadgroup'));
    await waitUntil(blocked, WAIT_MS, 'the blocking read');
    const started = Date.now();
    await scope.closeNow(sub);
    // A 60 s BLOCK cut short by CLIENT UNBLOCK; the bound is generous against slow machines.
    assert.ok(Date.now() - started < 10_000, `close took ${Date.now() - started} ms`);
  });
});
