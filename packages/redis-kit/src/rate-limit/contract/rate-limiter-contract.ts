import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { rateLimitPolicy, type RateLimiter } from '../policy.ts';

/** What the suite runs against: a limiter and a way to let time pass for it. */
export interface ContractSubject {
  limiter: RateLimiter;
  /** Lets at least `ms` pass for the limiter: a fake clock moves, a real one is waited for. */
  advance: (ms: number) => Promise<void>;
}

const long = (limit: number) => rateLimitPolicy('contract-long', limit, 3_600_000);

/**
 * The behaviour every rate limiter of this package has, whatever holds its state (Redis, memory).
 * Time-dependent cases only assert what more elapsed time cannot change (a wait of `retryAfterMs`
 * admits), so they hold on a loaded machine with a real clock too.
 */
export function rateLimiterContract(name: string, subject: () => ContractSubject): void {
  void describe(`${name}: rate limiter contract`, () => {
    const key = () => randomUUID();

    void it('a fresh key admits a burst of `limit`, counting down, then denies with a retry-after', async () => {
      const { limiter } = subject();
      const policy = long(3);
      const k = key();
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) {
        const d = await limiter.limit([{ policy, key: k }]);
        assert.equal(d.allowed, true, `request ${i + 1}`);
        assert.equal(d.retryAfterMs, 0);
        remaining.push(d.results[0]!.remaining);
      }
      assert.deepEqual(remaining, [2, 1, 0]);
      const denied = await limiter.limit([{ policy, key: k }]);
      assert.equal(denied.allowed, false);
      const [r] = denied.results;
      assert.ok(r);
      assert.equal(r.allowed, false);
      assert.equal(r.remaining, 0);
      // One request comes back every window / limit = 1,200,000 ms.
      assert.ok(
        denied.retryAfterMs > 1_100_000 && denied.retryAfterMs <= 1_200_000,
        String(denied.retryAfterMs),
      );
      assert.equal(r.retryAfterMs, denied.retryAfterMs);
      assert.ok(r.resetMs > 3_500_000 && r.resetMs <= 3_600_000, `reset ${r.resetMs}`);
    });

    void it('waiting the retry-after admits the request again', async () => {
      const { limiter, advance } = subject();
      const policy = rateLimitPolicy('contract-short', 2, 400);
      const k = key();
      await limiter.limit([{ policy, key: k }]);
      await limiter.limit([{ policy, key: k }]);
      const denied = await limiter.limit([{ policy, key: k }]);
      if (denied.allowed) return; // the real clock moved a whole interval meanwhile: nothing to wait for
      assert.ok(denied.retryAfterMs > 0 && denied.retryAfterMs <= 200, String(denied.retryAfterMs));
      await advance(denied.retryAfterMs);
      assert.equal((await limiter.limit([{ policy, key: k }])).allowed, true);
    });

    void it('all or nothing: a request denied by one key charges none of the others', async () => {
      const { limiter } = subject();
      const tight = rateLimitPolicy('contract-tight', 1, 3_600_000);
      const loose = rateLimitPolicy('contract-loose', 5, 3_600_000);
      const [a, b] = [key(), key()];
      assert.equal((await limiter.limit([{ policy: tight, key: a }])).allowed, true);
      for (let i = 0; i < 3; i++) {
        const d = await limiter.limit([
          { policy: loose, key: b },
          { policy: tight, key: a },
        ]);
        assert.equal(d.allowed, false);
        assert.deepEqual(
          d.results.map((r) => [r.policy.name, r.allowed]),
          [
            ['contract-loose', true],
            ['contract-tight', false],
          ],
        );
        assert.equal(d.retryAfterMs, d.results[1]!.retryAfterMs);
        assert.equal(d.results[0]!.retryAfterMs, 0);
        assert.equal(d.results[0]!.remaining, 5, 'the admitting key reports its state: nothing was charged');
        assert.equal(d.results[0]!.resetMs, 0);
      }
      const peek = await limiter.limit([{ policy: loose, key: b, cost: 0 }]);
      assert.equal(peek.results[0]!.remaining, 5, 'the loose key was never charged');
    });

    void it('an admitted call charges every key', async () => {
      const { limiter } = subject();
      const [p1, p2] = [
        rateLimitPolicy('contract-p1', 4, 3_600_000),
        rateLimitPolicy('contract-p2', 9, 3_600_000),
      ];
      const k = key();
      const d = await limiter.limit([
        { policy: p1, key: k },
        { policy: p2, key: k },
      ]);
      assert.equal(d.allowed, true);
      assert.deepEqual(
        d.results.map((r) => [r.key, r.remaining]),
        [
          [k, 3],
          [k, 8],
        ],
      );
    });

    void it('cost charges several requests at once; cost 0 only reads', async () => {
      const { limiter } = subject();
      const policy = long(5);
      const k = key();
      assert.equal((await limiter.limit([{ policy, key: k, cost: 3 }])).results[0]!.remaining, 2);
      assert.equal((await limiter.limit([{ policy, key: k, cost: 0 }])).results[0]!.remaining, 2);
      assert.equal((await limiter.limit([{ policy, key: k, cost: 0 }])).results[0]!.remaining, 2);
      const tooMuch = await limiter.limit([{ policy, key: k, cost: 3 }]);
      assert.equal(tooMuch.allowed, false);
      assert.equal(tooMuch.results[0]!.remaining, 2, 'a denied call reports what is left without it');
      assert.equal((await limiter.limit([{ policy, key: k, cost: 2 }])).allowed, true);
    });

    void it('keys and policies are independent', async () => {
      const { limiter } = subject();
      const [p, q] = [
        rateLimitPolicy('contract-a', 1, 3_600_000),
        rateLimitPolicy('contract-b', 1, 3_600_000),
      ];
      const [k1, k2] = [key(), key()];
      assert.equal((await limiter.limit([{ policy: p, key: k1 }])).allowed, true);
      assert.equal((await limiter.limit([{ policy: p, key: k1 }])).allowed, false);
      assert.equal((await limiter.limit([{ policy: p, key: k2 }])).allowed, true, 'another key');
      assert.equal((await limiter.limit([{ policy: q, key: k1 }])).allowed, true, 'another policy');
    });

    void it('a quota that does not divide its window still admits exactly `limit` at once', async () => {
      const { limiter } = subject();
      const policy = rateLimitPolicy('contract-odd', 7, 3_600_001);
      const k = key();
      let admitted = 0;
      for (let i = 0; i < 9; i++) if ((await limiter.limit([{ policy, key: k }])).allowed) admitted++;
      assert.equal(admitted, 7);
    });

    void it('refuses invalid calls: no checks, a cost out of range, the same key twice', async () => {
      const { limiter } = subject();
      const policy = long(2);
      const k = key();
      await assert.rejects(limiter.limit([]), TypeError);
      await assert.rejects(limiter.limit([{ policy, key: k, cost: 3 }]), RangeError);
      await assert.rejects(limiter.limit([{ policy, key: k, cost: 1.5 }]), RangeError);
      await assert.rejects(limiter.limit([{ policy, key: k, cost: -1 }]), RangeError);
      await assert.rejects(
        limiter.limit([
          { policy, key: k },
          { policy, key: k },
        ]),
        TypeError,
      );
      assert.equal(
        (await limiter.limit([{ policy, key: k, cost: 0 }])).results[0]!.remaining,
        2,
        'nothing charged',
      );
    });
  });
}
