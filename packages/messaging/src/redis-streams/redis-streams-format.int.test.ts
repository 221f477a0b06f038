// Redis Streams specifics the contract cannot see: the entry format, trimming, malformed entries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recorder } from '../contract/recorder.ts';
import { testMessages } from '../contract/test-messages.ts';
import { waitUntil } from '../contract/wait-until.ts';
import { TransientError } from '@surge/resilience';
import { createRedisStreamsPublisher } from './publisher.ts';
import { behaviourSuite } from './testing/behaviour-setup.ts';

const WAIT_MS = 10_000;
const { setup } = behaviourSuite();

describe('redis streams: entries', () => {
  it('stores a message as key, value and one h:-prefixed field per header', async (t) => {
    const { redis, stream, publisher } = setup(t);
    const m = testMessages(1)[0]!;
    await publisher.publish(stream, [m]);
    const [[, fields]] = (await redis.xrange(stream, '-', '+')) as [[string, string[]]];
    const byName = new Map<string, string>();
    for (let i = 0; i < fields.length; i += 2) byName.set(fields[i]!, fields[i + 1]!);
    assert.equal(byName.get('key'), m.key);
    assert.deepEqual(JSON.parse(byName.get('value')!), m.data);
    assert.equal(byName.get('h:ce_id'), m.id);
    assert.equal(byName.get('h:ce_type'), m.type);
    assert.equal(byName.get('h:traceparent'), m.headers.traceparent);
  });

  it('publishRecords (dead letters) stores bytes as they are: not UTF-8, repeated headers, no value', async (t) => {
    const { redis, stream, publisher } = setup(t);
    await publisher.publishRecords(stream, [
      {
        key: 'k',
        value: Buffer.from([0xff, 0x00, 0xfe]),
        headerEntries: [
          ['x', Buffer.from([0x80])],
          ['x', 'b'],
        ],
      },
      { key: 'k', value: undefined, headerEntries: [] },
    ]);
    const entries = (await redis.xrangeBuffer(stream, '-', '+')) as Array<[Buffer, Buffer[]]>;
    const hex = (s: string) => Buffer.from(s).toString('hex');
    assert.deepEqual(
      entries.map(([, f]) => f.map((b) => b.toString('hex'))),
      [
        [hex('key'), hex('k'), hex('value'), 'ff00fe', hex('h:x'), '80', hex('h:x'), hex('b')],
        [hex('key'), hex('k')],
      ],
    );
  });

  it('trims a stream to about maxLen entries', async (t) => {
    const { redis, scope, stream } = setup(t);
    const publisher = scope.add(createRedisStreamsPublisher({ redis, maxLen: 100 }));
    for (let i = 0; i < 10; i++) await publisher.publish(stream, testMessages(200));
    const length = await redis.xlen(stream);
    // MAXLEN ~ trims whole nodes (100 entries by default), so somewhat more than maxLen remains.
    assert.ok(length >= 100 && length <= 400, `XLEN ${length}`);
  });

  it('rejects with a TransientError when the publish signal aborts', async (t) => {
    const { stream, publisher } = setup(t);
    await assert.rejects(
      publisher.publish(stream, testMessages(1), { signal: AbortSignal.abort() }),
      (err: Error) => err instanceof TransientError,
    );
  });

  it('delivers an entry that is not a CloudEvent as malformed, and acks it once handled', async (t) => {
    const { redis, stream, subscriber, subscribe } = setup(t);
    await redis.xadd(stream, '*', 'key', 'k', 'value', 'not json');
    const rec = recorder();
    await subscribe(subscriber(), 'g', rec.handler);
    await waitUntil(() => rec.acked().length === 1, WAIT_MS, 'the malformed entry');
    const d = rec.acked()[0]!;
    assert.match(d.malformed ?? '', /missing CloudEvents headers/);
    assert.equal(d.data, 'not json');
    await waitUntil(async () => (await redis.xpending(stream, 'g'))[0] === 0, WAIT_MS, 'its ack');
  });

  it('reports pending entries trimmed before anyone processed them, and goes on', async (t) => {
    const { redis, stream, publisher, subscriber, subscribe, errors } = setup(t);
    await redis.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
    await publisher.publish(stream, testMessages(5));
    // A member that read five entries and died; then the stream is trimmed under them.
    await redis.xreadgroup('GROUP', 'g', 'ghost', 'COUNT', 5, 'STREAMS', stream, '>');
    await redis.xtrim(stream, 'MAXLEN', 0);
    const later = testMessages(3);
    await publisher.publish(stream, later);
    const rec = recorder();
    await subscribe(subscriber({ claimIdleMs: 200 }), 'g', rec.handler);
    await waitUntil(() => rec.missing(later.map((m) => m.id)).length === 0, WAIT_MS, 'the later entries');
    await waitUntil(
      () => errors.some((e) => e.includes('5 pending entries')),
      WAIT_MS,
      () => `a trim report in ${errors.join('\n')}`,
    );
  });
});
