import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { testRedisUrl, uniquePrefix } from '@surge/test-support';
import { failFastRedisOptions } from '../connection/fail-fast-options.ts';
import { abandonScript, acquireScript, completeScript } from './idempotency-scripts.ts';
import {
  createIdempotencyStore,
  type IdempotencyOutcome,
  type IdempotencyRequest,
  type IdempotencyStore,
} from './idempotency-store.ts';

const connect = () => new Redis(testRedisUrl(), failFastRedisOptions({ commandTimeoutMs: 5_000 }));

function held(outcome: IdempotencyOutcome) {
  assert.equal(outcome.kind, 'acquired', `expected acquired, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** Acquires until the key is free again, sleeping for the lease left each time it is not. */
async function acquireOnceFree(store: IdempotencyStore, req: IdempotencyRequest) {
  for (let i = 0; i < 100; i++) {
    const outcome = await store.acquire(req);
    if (outcome.kind !== 'inProgress') return outcome;
    await sleep(outcome.retryAfterMs + 5);
  }
  assert.fail('the key never came free');
}

describe('idempotency store (real Redis)', () => {
  const redis = connect();
  const prefix = `${uniquePrefix('idempotency')}:`;
  let n = 0;
  /** A store with its own key prefix, and a request with a fresh key. */
  const fresh = (opts: { leaseMs?: number } = {}) => {
    const keyPrefix = `${prefix}${++n}:`;
    const store = createIdempotencyStore(redis, { keyPrefix, ...opts });
    const req = { scope: 'user-1', key: randomUUID(), fingerprint: 'fp-a' };
    return { store, req, keyPrefix };
  };
  before(() => once(redis, 'ready'));
  after(async () => {
    try {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
    } finally {
      redis.disconnect();
    }
  });

  it('N concurrent acquires of one key from several connections: exactly one is acquired', async () => {
    const { keyPrefix, req } = fresh();
    const clients = Array.from({ length: 4 }, connect);
    try {
      await Promise.all(clients.map((c) => once(c, 'ready')));
      const stores = clients.map((c) => createIdempotencyStore(c, { keyPrefix }));
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) => stores[i % stores.length]!.acquire(req)),
      );
      const kinds = outcomes.map((o) => o.kind);
      assert.equal(kinds.filter((k) => k === 'acquired').length, 1);
      assert.equal(kinds.filter((k) => k === 'inProgress').length, 199);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it('replays the stored response byte for byte (binary body), with its status and kept headers', async () => {
    const { store, req } = fresh();
    const body = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]),
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    ]);
    const first = held(await store.acquire(req));
    assert.equal(
      await first.complete({
        status: 202,
        headers: { 'Content-Type': 'application/octet-stream', location: '/v1/orders/1' },
        body,
      }),
      'stored',
    );
    for (let i = 0; i < 2; i++) {
      const again = await store.acquire(req);
      assert.equal(again.kind, 'replay');
      if (again.kind !== 'replay') return;
      assert.equal(again.response.status, 202);
      assert.deepEqual(again.response.headers, {
        'content-type': 'application/octet-stream',
        location: '/v1/orders/1',
      });
      assert.ok(again.response.body.equals(body), 'the same bytes');
    }
    const empty = fresh();
    await held(await empty.store.acquire(empty.req)).complete({ status: 204, body: '' });
    const replay = await empty.store.acquire(empty.req);
    assert.ok(
      replay.kind === 'replay' && replay.response.body.length === 0 && replay.response.status === 204,
    );
  });

  it('answers mismatch for another fingerprint, while running and once stored; other scopes are separate', async () => {
    const { store, req } = fresh();
    const first = held(await store.acquire(req));
    assert.deepEqual(await store.acquire({ ...req, fingerprint: 'fp-b' }), { kind: 'mismatch' });
    assert.equal((await store.acquire(req)).kind, 'inProgress');
    await first.complete({ status: 201, body: '{"ok":true}' });
    assert.deepEqual(await store.acquire({ ...req, fingerprint: 'fp-b' }), { kind: 'mismatch' });
    assert.equal((await store.acquire(req)).kind, 'replay');
    held(await store.acquire({ ...req, scope: 'user-2', fingerprint: 'fp-b' }));
  });

  it("a holder that crashed (no complete, no abandon) frees the key after the lease; the retry gets the first attempt's value", async () => {
    const { store, req } = fresh({ leaseMs: 300 });
    const crashed = held(await store.acquire({ ...req, firstAttempt: 'order-1' }));
    assert.equal(crashed.attempt, 1);
    assert.equal(crashed.firstAttempt, 'order-1');
    const busy = await store.acquire({ ...req, firstAttempt: 'order-2' });
    assert.ok(busy.kind === 'inProgress' && busy.retryAfterMs > 0 && busy.retryAfterMs <= 300);
    const retry = held(await acquireOnceFree(store, { ...req, firstAttempt: 'order-2' }));
    assert.equal(retry.attempt, 2);
    assert.equal(retry.firstAttempt, 'order-1', 'the retry reuses what the first attempt chose');
    assert.deepEqual(await store.acquire({ ...req, fingerprint: 'fp-b' }), { kind: 'mismatch' });
  });

  it("a stale holder (lease ran out, key taken over) can neither complete nor abandon the newer holder's run", async () => {
    const { store, req } = fresh({ leaseMs: 200 });
    const stale = held(await store.acquire(req));
    const newer = held(await acquireOnceFree(store, req));
    assert.equal(await stale.complete({ status: 200, body: 'stale' }), 'not-held');
    assert.equal(await stale.abandon(), 'not-held');
    assert.equal((await store.acquire(req)).kind, 'inProgress', 'the newer holder still holds it');
    assert.equal(await newer.complete({ status: 200, body: 'newer' }), 'stored');
    const replay = await store.acquire(req);
    assert.ok(replay.kind === 'replay');
    assert.equal(replay.response.body.toString(), 'newer');
  });

  it('a holder whose lease ran out with nobody taking over may still complete (its effect happened)', async () => {
    const { store, req } = fresh({ leaseMs: 50 });
    const slow = held(await store.acquire(req));
    await sleep(100);
    assert.equal(await slow.complete({ status: 200, body: 'late' }), 'stored');
    assert.equal((await store.acquire(req)).kind, 'replay');
  });

  it('abandon frees the key at once; it keeps fingerprint and first-attempt value unless told to forget', async () => {
    const { store, req } = fresh();
    const a = held(await store.acquire({ ...req, firstAttempt: 'order-1' }));
    assert.equal(await a.abandon(), 'abandoned');
    assert.equal(
      await a.complete({ status: 200, body: 'x' }),
      'not-held',
      'an abandoned hold cannot complete',
    );
    assert.deepEqual(await store.acquire({ ...req, fingerprint: 'fp-b' }), { kind: 'mismatch' });
    const b = held(await store.acquire({ ...req, firstAttempt: 'order-2' }));
    assert.equal(b.attempt, 2);
    assert.equal(b.firstAttempt, 'order-1');
    assert.equal(await b.abandon({ forget: true }), 'abandoned');
    const c = held(await store.acquire({ ...req, fingerprint: 'fp-b', firstAttempt: 'order-3' }));
    assert.equal(c.firstAttempt, 'order-3', 'after forget, a new payload and a new value');
    assert.equal(await c.complete({ status: 409, body: 'sold out' }), 'stored');
    assert.equal(await c.abandon(), 'not-held', 'a completed hold cannot be abandoned');
    assert.equal((await store.acquire({ ...req, fingerprint: 'fp-b' })).kind, 'replay');
  });

  it('every script is safe to run twice (ioredis may resend after a reconnect)', async () => {
    const { keyPrefix } = fresh();
    const record = `${keyPrefix}raw`;
    const args = ['fp-a', 'token-1', 10_000, 60_000, '1', 'order-1'];
    const first = await acquireScript.run(redis, [record], args);
    assert.deepEqual(first, { kind: 'acquired', attempt: 1, firstAttempt: 'order-1' });
    assert.deepEqual(await acquireScript.run(redis, [record], args), first, 'a resent acquire is still ours');
    const done = ['token-1', 200, '{}', Buffer.from('body'), 60_000];
    assert.equal(await completeScript.run(redis, [record], done), 'stored');
    assert.equal(await completeScript.run(redis, [record], done), 'stored', 'a resent complete');
    assert.equal(
      await completeScript.run(redis, [record], ['token-2', 200, '{}', 'other', 60_000]),
      'not-held',
    );
    assert.equal(
      (await acquireScript.run(redis, [record], ['fp-a', 'token-3', 10_000, 60_000, '0', ''])).kind,
      'replay',
    );

    const other = `${keyPrefix}raw-abandon`;
    await acquireScript.run(redis, [other], ['fp-a', 'token-1', 10_000, 60_000, '0', '']);
    assert.equal(await abandonScript.run(redis, [other], ['token-1', '1']), 'abandoned');
    assert.equal(await abandonScript.run(redis, [other], ['token-1', '1']), 'abandoned', 'a resent abandon');
    const next = await acquireScript.run(redis, [other], ['fp-b', 'token-2', 10_000, 60_000, '0', '']);
    assert.deepEqual(next, { kind: 'acquired', attempt: 2, firstAttempt: undefined });
  });

  it('records expire: a stored response after ttlMs from complete, a running one after ttlMs from acquire', async () => {
    const keyPrefix = `${prefix}ttl:`;
    const store = createIdempotencyStore(redis, { keyPrefix, ttlMs: 60_000, leaseMs: 1_000 });
    const req = { scope: 'u', key: 'k', fingerprint: 'fp' };
    const hold = held(await store.acquire(req));
    const [record] = await redis.keys(`${keyPrefix}*`);
    assert.ok(record);
    assert.match(record, /:[A-Za-z0-9_-]{43}$/, 'the Redis key is a hash: it reveals neither scope nor key');
    const running = await redis.pttl(record);
    assert.ok(running > 1_000 && running <= 60_000, String(running));
    await hold.complete({ status: 200, body: 'x' });
    const stored = await redis.pttl(record);
    assert.ok(stored > 1_000 && stored <= 60_000, String(stored));
  });

  it('refuses what it cannot store before sending anything: a 5xx, a non-string header, a too large response or first-attempt value', async () => {
    const { keyPrefix, req } = fresh();
    const store = createIdempotencyStore(redis, {
      keyPrefix,
      maxResponseBytes: 100,
      maxFirstAttemptBytes: 8,
    });
    await assert.rejects(store.acquire({ ...req, firstAttempt: 'ü'.repeat(5) }), {
      code: 'E_IDEMPOTENCY_RECORD_TOO_LARGE',
    });
    await assert.rejects(store.acquire({ ...req, key: '' }), { code: 'IDEMPOTENCY_KEY_INVALID' });
    await assert.rejects(store.acquire({ ...req, key: 'k'.repeat(256) }), {
      code: 'IDEMPOTENCY_KEY_INVALID',
    });
    const hold = held(await store.acquire(req));
    await assert.rejects(hold.complete({ status: 503, body: 'down' }), RangeError);
    const badHeaders = { location: 42 } as unknown as Record<string, string>;
    await assert.rejects(hold.complete({ status: 200, headers: badHeaders, body: '' }), TypeError);
    await assert.rejects(hold.complete({ status: 200, body: Buffer.alloc(99) }), {
      code: 'E_IDEMPOTENCY_RECORD_TOO_LARGE',
    });
    assert.equal((await store.acquire(req)).kind, 'inProgress', 'still held: nothing was stored');
    assert.equal(await hold.complete({ status: 200, body: Buffer.alloc(50) }), 'stored');
  });

  it('rejects when Redis is unreachable', async () => {
    const dead = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    try {
      await assert.rejects(createIdempotencyStore(dead).acquire({ scope: 'u', key: 'k', fingerprint: 'f' }));
    } finally {
      dead.disconnect();
    }
  });
});
