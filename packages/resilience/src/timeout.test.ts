import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { TaskCancelledError } from 'cockatiel';
import { isTransient } from './errors.ts';
import { isTimeoutError, TimeoutError, withTimeout } from './timeout.ts';

const never = () => new Promise<never>(() => {});

describe('withTimeout (fake clock)', () => {
  it('passes a result or a rejection of work through', async () => {
    assert.equal(await withTimeout(() => Promise.resolve(7), 10), 7);
    await assert.rejects(
      withTimeout(() => Promise.reject(new Error('boom')), 10),
      /boom/,
    );
  });

  it('rejects with a transient TimeoutError at the deadline even when work ignores its signal', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let seen: AbortSignal | undefined;
      const p = withTimeout(
        (signal) => {
          seen = signal;
          return never();
        },
        50,
        { what: 'GET_LOCK' },
      );
      let settled = false;
      p.catch(() => {}).finally(() => (settled = true));
      mock.timers.tick(49);
      await Promise.resolve();
      assert.equal(settled, false);
      mock.timers.tick(1);
      await assert.rejects(p, (e: unknown) => {
        assert.ok(e instanceof TimeoutError && isTimeoutError(e) && isTransient(e));
        assert.equal(e.message, 'GET_LOCK timed out after 50 ms');
        assert.equal(e.timeoutMs, 50);
        return true;
      });
      assert.equal(seen?.aborted, true, "work's signal aborted at the deadline");
      assert.ok(isTimeoutError(seen.reason), 'with the TimeoutError as its reason');
    } finally {
      mock.timers.reset();
    }
  });

  it("rejects with the caller's abort reason when the caller's signal aborts first", async () => {
    const ac = new AbortController();
    const p = withTimeout(never, 60_000, { signal: ac.signal });
    const reason = new Error('shutting down');
    ac.abort(reason);
    await assert.rejects(p, (e) => e === reason);
    await assert.rejects(withTimeout(never, 60_000, { signal: ac.signal }), (e) => e === reason);
  });

  it('rejects when work throws synchronously, and aborts its signal once the call settled', async () => {
    await assert.rejects(
      withTimeout(() => {
        throw new Error('sync');
      }, 60_000),
      /sync/,
    );
    let seen: AbortSignal | undefined;
    await withTimeout((signal) => ((seen = signal), Promise.resolve()), 60_000);
    assert.equal(seen?.aborted, true, 'work can release what it holds');
  });

  it("rethrows work's own cancellation error unchanged (it is not our deadline)", async () => {
    const own = new TaskCancelledError('inner policy');
    await assert.rejects(
      withTimeout(() => Promise.reject(own), 60_000),
      (e) => e === own,
    );
  });

  it('a late rejection of work after the deadline is dropped, not unhandled', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      let fail: (e: Error) => void = () => {};
      const p = withTimeout(() => new Promise<never>((_, reject) => (fail = reject)), 10);
      mock.timers.tick(10);
      await assert.rejects(p, TimeoutError);
      fail(new Error('late'));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      mock.timers.reset();
    }
  });
});
