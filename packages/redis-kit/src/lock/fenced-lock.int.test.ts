import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { testRedisUrl, throwawayRedis, uniquePrefix } from '@surge/test-support';
import { failFastRedisOptions } from '../connection/fail-fast-options.ts';
import { createFencedLock } from './fenced-lock.ts';
import { acquireScript, renewScript } from './lock-scripts.ts';
import { isLockBusyError, isLockNotHeldError, type LockNotHeldReason } from './lock-errors.ts';

const connect = (url = testRedisUrl()) => new Redis(url, failFastRedisOptions({ commandTimeoutMs: 5_000 }));

/** Resolves with the reason the signal aborted with; fails the test after `ms` without an abort. */
async function aborted(signal: AbortSignal, ms = 20_000): Promise<LockNotHeldReason> {
  const giveUp = new AbortController();
  const deadline = sleep(ms, undefined, { signal: giveUp.signal }).then(
    () => assert.fail('the signal never aborted'),
    () => {},
  );
  try {
    if (!signal.aborted) await Promise.race([once(signal, 'abort'), deadline]);
  } finally {
    giveUp.abort();
  }
  assert.ok(isLockNotHeldError(signal.reason), String(signal.reason));
  return signal.reason.reason;
}

describe('fenced lock (real Redis)', () => {
  const redis = connect();
  const prefix = `${uniquePrefix('fenced-lock')}:`;
  const locks = (opts: Parameters<typeof createFencedLock>[1] = {}) =>
    createFencedLock(redis, { keyPrefix: prefix, ...opts });
  before(() => once(redis, 'ready'));
  after(async () => {
    try {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.unlink(...keys);
    } finally {
      redis.disconnect();
    }
  });

  it('mutual exclusion under concurrency: one holder at a time, tokens strictly increasing in entry order', async () => {
    const clients = Array.from({ length: 4 }, () => connect());
    try {
      await Promise.all(clients.map((c) => once(c, 'ready')));
      let inside = 0;
      let most = 0;
      const entered: number[] = [];
      const work = Array.from({ length: 24 }, (_, i) =>
        createFencedLock(clients[i % clients.length]!, { keyPrefix: prefix, ttlMs: 5_000 }).withLock(
          'exclusive',
          async (_signal, token) => {
            inside++;
            most = Math.max(most, inside);
            entered.push(token);
            await sleep(2);
            inside--;
          },
          { waitMs: 60_000 },
        ),
      );
      await Promise.all(work);
      assert.equal(most, 1, 'never two holders at once');
      assert.equal(entered.length, 24);
      for (let i = 1; i < entered.length; i++)
        assert.ok(entered[i]! > entered[i - 1]!, `tokens ${entered.join(',')}`);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it('tokens grow across holders, also after a holder vanished and its lock expired', async () => {
    // A generous call budget: the default (the 50 ms renewal period) fails acquires on a busy machine.
    // A lease long enough that the first lock cannot expire before the next acquire on a busy machine.
    const lock = locks({ ttlMs: 5_000, renewEveryMs: 250, timeoutMs: 2_000 });
    const first = await lock.tryAcquire('across');
    assert.ok(first);
    assert.equal(await lock.tryAcquire('across'), undefined);
    assert.equal(await first.release(), true);
    const second = await lock.tryAcquire('across');
    assert.ok(second && second.fencingToken === first.fencingToken + 1);
    await redis.del(`${prefix}{across}`); // as if it expired while its holder was paused
    const third = await lock.tryAcquire('across');
    assert.ok(third && third.fencingToken === second.fencingToken + 1);
    assert.equal(await aborted(second.signal), 'lost');
    await third.release();
    await second.release();
  });

  it('renewal keeps a lock held past its TTL; release frees it and aborts the signal (released)', async () => {
    // Renewed every 200 ms with a 2 s lease: only an event loop stalled for ~1.8 s could lose it.
    const lock = locks({ ttlMs: 2_000, renewEveryMs: 200, timeoutMs: 1_000 });
    const held = await lock.tryAcquire('renewed');
    assert.ok(held);
    await sleep(3_000);
    assert.equal(held.signal.aborted, false);
    assert.equal(await lock.tryAcquire('renewed'), undefined, 'still held after more than one TTL');
    assert.ok((await redis.pttl(`${prefix}{renewed}`)) > 0);
    assert.equal(await held.release(), true);
    assert.equal(await aborted(held.signal), 'released');
    assert.equal(await redis.exists(`${prefix}{renewed}`), 0);
  });

  it('a holder whose key expired under it (renewal finds it gone) gets its signal aborted (lost)', async () => {
    // Each Redis call may take up to 1 s: a loaded CI machine took more than the default 100 ms.
    const held = await locks({ ttlMs: 2_000, renewEveryMs: 100, timeoutMs: 1_000 }).tryAcquire('expired');
    assert.ok(held);
    await redis.pexpire(`${prefix}{expired}`, 1);
    assert.equal(await aborted(held.signal), 'lost');
  });

  it('a release by a non-holder does nothing', async () => {
    const lock = locks({ ttlMs: 5_000, renewEveryMs: 100, timeoutMs: 1_000 });
    const old = await lock.tryAcquire('others');
    assert.ok(old);
    await redis.del(`${prefix}{others}`);
    const current = await lock.tryAcquire('others');
    assert.ok(current);
    assert.equal(await old.release(), false, "the old holder's release is refused");
    assert.equal(await lock.tryAcquire('others'), undefined, "the current holder's lock is intact");
    assert.equal(current.signal.aborted, false);
    assert.equal(await current.release(), true);
  });

  it('every script is safe to run twice: a resent acquire is still ours with the same token', async () => {
    const lock = locks();
    const held = await lock.tryAcquire('resend');
    assert.ok(held);
    const key = `${prefix}{resend}`;
    const holder = await redis.get(key);
    assert.ok(holder);
    const resent = await acquireScript.run(redis, [key, `${key}:fencing`], [holder, 30_000]);
    assert.deepEqual(resent, { fencingToken: held.fencingToken });
    assert.equal(await redis.get(`${key}:fencing`), String(held.fencingToken), 'no second INCR');
    assert.equal(await renewScript.run(redis, [key], [holder, 30_000]), 'renewed');
    assert.equal(await renewScript.run(redis, [key], [holder, 30_000]), 'renewed');
    assert.equal(await renewScript.run(redis, [key], ['someone-else', 30_000]), 'not-held');
    assert.equal(await held.release(), true);
  });

  it('withLock releases after fn, also when fn throws; a busy lock rejects with E_LOCK_BUSY after waitMs', async () => {
    const lock = locks();
    await assert.rejects(
      lock.withLock('with', () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await redis.exists(`${prefix}{with}`), 0, 'released after the throw');
    const holder = await lock.tryAcquire('with');
    assert.ok(holder);
    await assert.rejects(
      lock.withLock('with', () => Promise.resolve(1)),
      isLockBusyError,
    );
    await assert.rejects(
      lock.withLock('with', () => Promise.resolve(1), { waitMs: 100 }),
      isLockBusyError,
    );
    const waiting = lock.withLock('with', (_s, token) => Promise.resolve(token), { waitMs: 30_000 });
    await sleep(50);
    await holder.release();
    assert.equal(await waiting, holder.fencingToken + 1, 'a waiter gets the lock once it is released');
    const other = await lock.tryAcquire('with');
    assert.ok(other);
    const stop = new AbortController();
    const stopped = lock.withLock('with', () => Promise.resolve(1), { waitMs: 30_000, signal: stop.signal });
    await sleep(50);
    stop.abort(new Error('shutting down'));
    await assert.rejects(stopped, /shutting down/, "the caller's signal ends the wait");
    await other.release();
  });

  it('refuses an empty name and inconsistent options', async () => {
    await assert.rejects(locks().tryAcquire(''), TypeError);
    assert.throws(() => locks({ ttlMs: 100, renewEveryMs: 100 }), RangeError);
    assert.throws(() => locks({ ttlMs: 0 }), RangeError);
  });
});

describe('fenced lock while its Redis is down (throwaway server)', () => {
  it('a holder whose renewals fail (its Redis is down) gets its signal aborted (unconfirmed)', async () => {
    const server = await throwawayRedis();
    const client = connect(server.url);
    client.on('error', () => {}); // refused reconnects while the server is down
    try {
      await once(client, 'ready');
      const held = await createFencedLock(client, {
        ttlMs: 1_000,
        renewEveryMs: 200,
        timeoutMs: 200,
      }).tryAcquire('job');
      assert.ok(held);
      await server.kill();
      assert.equal(await aborted(held.signal), 'unconfirmed');
      await assert.rejects(held.release());
    } finally {
      client.disconnect();
      await server.stop();
    }
  });
});
