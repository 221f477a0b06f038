import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'typebox';
import { FatalError, TransientError } from '@surge/resilience';
import { defineEvent, EventRegistry } from '../events.ts';
import type { Delivery } from '../message.ts';
import { toBuffer } from '../raw-record.ts';
import { deadLetter } from './dead-letter.ts';
import { compose } from './middleware.ts';
import { recoverer } from './recoverer.ts';
import { retry, RetriesExhaustedError } from './retry.ts';
import { HandlerTimeoutError, timeout } from './timeout.ts';
import { fakeRecordPublisher } from './testing/fake-record-publisher.ts';
import { validate } from './validate.ts';

const Registered = defineEvent({
  type: 'test.registered.v1',
  topic: 'test.users',
  schema: Type.Object({ userId: Type.String() }, { additionalProperties: false }),
});

const delivery = (over: Partial<Delivery> = {}): Delivery => ({
  ...Registered.create({ userId: 'u1' }, { key: 'u1', source: '/test' }),
  topic: 'test.users',
  partition: 2,
  offset: '41',
  timestamp: 1_700_000_000_000,
  deliveryAttempt: 1,
  ...over,
});

const signal = () => new AbortController().signal;
/** Backoff of at most 1 ms, so retries do not slow the tests down. */
const fast = { baseMs: 1, maxMs: 1, transientMaxMs: 1 };

describe('retry', () => {
  it('retries handler errors up to the limit, then throws RetriesExhaustedError', async () => {
    let calls = 0;
    const h = compose(
      async () => void (calls++, await Promise.reject(new Error('boom'))),
      retry({ maxAttempts: 3, ...fast }),
    );
    const err = await h(delivery(), signal()).catch((e: unknown) => e);
    assert.ok(err instanceof RetriesExhaustedError);
    assert.equal(err.attempts, 3);
    assert.equal(calls, 3);
  });

  it("counts the transport's earlier deliveries: a record redelivered after crashes gives up sooner", async () => {
    let calls = 0;
    const h = compose(
      () => (calls++, Promise.reject(new Error('crashes the worker'))),
      retry({ maxAttempts: 5, ...fast }),
    );
    const err = await h(delivery({ deliveryAttempt: 4 }), signal()).catch((e: unknown) => e);
    assert.ok(err instanceof RetriesExhaustedError);
    assert.equal(err.attempts, 5);
    assert.equal(calls, 2);
  });

  it('a fatal error is not retried', async () => {
    let calls = 0;
    const h = compose(
      () => (calls++, Promise.reject(new FatalError('poison'))),
      retry({ maxAttempts: 5, ...fast }),
    );
    await assert.rejects(h(delivery(), signal()), FatalError);
    assert.equal(calls, 1);
  });

  it('transient errors retry beyond the limit and do not use up attempts', async () => {
    let calls = 0;
    const h = compose(
      () => {
        calls++;
        if (calls <= 20) return Promise.reject(new TransientError('mysql down'));
        if (calls === 21) return Promise.reject(new Error('one real failure'));
        return Promise.resolve();
      },
      retry({ maxAttempts: 2, ...fast }),
    );
    await h(delivery(), signal());
    assert.equal(calls, 22);
  });

  it('driver connection codes count as transient', async () => {
    let calls = 0;
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const h = compose(
      () => (++calls < 10 ? Promise.reject(refused) : Promise.resolve()),
      retry({ maxAttempts: 1, ...fast }),
    );
    await h(delivery(), signal());
    assert.equal(calls, 10);
  });

  it('waits resilience backoffMs delays: capped by maxMs, or transientMaxMs while a dependency is down', async () => {
    const delays: Array<{ transient: boolean; delayMs: number }> = [];
    let calls = 0;
    const h = compose(
      () => (++calls <= 30 ? Promise.reject(new TransientError('down')) : Promise.reject(new Error('bug'))),
      retry({
        maxAttempts: 4,
        baseMs: 1,
        maxMs: 2,
        transientMaxMs: 3,
        onRetry: ({ transient, delayMs }) => delays.push({ transient, delayMs }),
      }),
    );
    await assert.rejects(h(delivery(), signal()), RetriesExhaustedError);
    assert.equal(delays.filter((d) => d.transient).length, 30);
    assert.equal(delays.filter((d) => !d.transient).length, 3);
    for (const d of delays)
      assert.ok(d.delayMs >= 0 && d.delayMs <= (d.transient ? 3 : 2), JSON.stringify(d));
    assert.ok(
      delays.some((d) => d.transient && d.delayMs === 3),
      'a long outage reaches transientMaxMs',
    );
  });

  it('stops retrying when the signal aborts, and rethrows', async () => {
    const ac = new AbortController();
    const h = compose(() => Promise.reject(new TransientError('down')), retry({ baseMs: 10_000 }));
    const p = h(delivery(), ac.signal);
    setTimeout(() => ac.abort(), 10);
    await assert.rejects(p, TransientError);
  });
});

describe('deadLetter', () => {
  it('publishes to <topic>.dlt with the original record and dlt_* headers, then acks', async () => {
    const { publisher, sent } = fakeRecordPublisher();
    const d = delivery({ headers: { traceparent: '00-abc-def-01' } });
    const h = compose(
      () => Promise.reject(new Error('handler bug')),
      deadLetter({ publisher, group: 'g1' }),
      retry({ maxAttempts: 2, ...fast }),
    );
    await h(d, signal());
    assert.equal(sent.length, 1);
    const { topic, record, headers } = sent[0]!;
    assert.equal(topic, 'test.users.dlt');
    assert.equal(headers.ce_id, d.id);
    assert.deepEqual(JSON.parse(toBuffer(record.value ?? '').toString()), d.data);
    assert.equal(record.key, d.key);
    assert.equal(headers.traceparent, '00-abc-def-01');
    assert.deepEqual(
      [
        headers.dlt_original_topic,
        headers.dlt_original_partition,
        headers.dlt_original_offset,
        headers.dlt_original_timestamp,
        headers.dlt_consumer_group,
        headers.dlt_attempts,
        headers.dlt_error_class,
        headers.dlt_error_message,
      ],
      ['test.users', '2', '41', '1700000000000', 'g1', '2', 'Error', 'gave up after 2 attempts: handler bug'],
    );
  });

  it('never dead-letters a transient error (it is rethrown, so the record is not acked)', async () => {
    const { publisher, sent } = fakeRecordPublisher();
    const h = compose(
      () => Promise.reject(new TransientError('redis down')),
      deadLetter({ publisher, group: 'g' }),
    );
    await assert.rejects(h(delivery(), signal()), TransientError);
    assert.equal(sent.length, 0);
  });

  it('regression: a MySQL connect timeout (mysql2 marks it fatal: true) is retried, never dead-lettered', async () => {
    const { publisher, sent } = fakeRecordPublisher();
    const timedOut = Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT', fatal: true });
    let calls = 0;
    const h = compose(
      () => (++calls < 10 ? Promise.reject(timedOut) : Promise.resolve()),
      deadLetter({ publisher, group: 'g' }),
      retry({ maxAttempts: 2, ...fast }),
    );
    await h(delivery(), signal());
    assert.equal(calls, 10);
    assert.equal(sent.length, 0);
  });

  it(
    'regression (issue 8): a query on a pooled MySQL connection the outage killed (mysql2: fatal, ' +
      'no code) or a Redis command timeout is retried, never dead-lettered',
    async () => {
      for (const outage of [
        Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true }),
        new Error('Command timed out'),
      ]) {
        const { publisher, sent } = fakeRecordPublisher();
        let calls = 0;
        const h = compose(
          () => (++calls < 10 ? Promise.reject(outage) : Promise.resolve()),
          deadLetter({ publisher, group: 'g' }),
          retry({ maxAttempts: 2, ...fast }),
        );
        await h(delivery(), signal());
        assert.equal(calls, 10, outage.message);
        assert.equal(sent.length, 0, outage.message);
      }
    },
  );
});

describe('validate', () => {
  const registry = new EventRegistry([Registered]);
  const run = (d: Delivery) => compose(() => Promise.resolve(), validate(registry))(d, signal());

  it('passes a valid event', async () => {
    await run(delivery());
  });

  it('rejects schema-invalid data, unknown types and malformed records as fatal', async () => {
    for (const d of [
      delivery({ data: { userId: 7 } }),
      delivery({ data: { userId: 'u', extra: true } }),
      delivery({ type: 'test.unknown.v1' }),
      delivery({ malformed: 'the record value is not JSON', data: '{oops' }),
    ]) {
      await assert.rejects(run(d), (e: unknown) => (e as { fatal?: boolean }).fatal === true);
    }
  });

  it('a schema-invalid record is dead-lettered after exactly one attempt', async () => {
    const { publisher, sent } = fakeRecordPublisher();
    let calls = 0;
    const h = compose(
      () => (calls++, Promise.resolve()),
      deadLetter({ publisher, group: 'g' }),
      retry({ maxAttempts: 5, ...fast }),
      validate(registry),
    );
    await h(delivery({ data: { nope: 1 } }), signal());
    assert.equal(calls, 0);
    assert.equal(sent[0]?.headers.dlt_error_class, 'SchemaError');
    assert.equal(sent[0]?.headers.dlt_attempts, '1');
  });
});

describe('timeout and recoverer', () => {
  it('a handler that ignores its signal is abandoned at the deadline', async () => {
    const h = compose(() => new Promise<void>(() => {}), timeout(20));
    await assert.rejects(h(delivery(), signal()), HandlerTimeoutError);
  });

  it('the handler sees its signal abort at the deadline', async () => {
    let aborted = false;
    const h = compose(
      (_d, s) =>
        new Promise<void>((_, reject) =>
          s.addEventListener('abort', () => ((aborted = true), reject(new Error('x')))),
        ),
      timeout(20),
    );
    await assert.rejects(h(delivery(), signal()));
    assert.equal(aborted, true);
  });

  it('turns a synchronous throw of a non-Error into a rejected Error', async () => {
    const h = compose(() => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw 'a string';
    }, recoverer);
    await assert.rejects(h(delivery(), signal()), /non-Error value: a string/);
  });
});
