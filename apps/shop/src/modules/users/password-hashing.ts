import { createBulkhead, type Bulkhead, type BulkheadRefusal } from '@surge/resilience';
import type { Context } from '../../context.ts';
import { hashPassword, passwordCostFor, verifyPassword, type ScryptCost } from './password.ts';

/** Password hashing with a concurrency limit: one per process, shared by registration and login. */
export interface PasswordHasher {
  readonly cost: ScryptCost;
  /** Hashes running now and waiting (metrics). */
  readonly slots: Pick<Bulkhead, 'active' | 'queued'>;
  /** Hashes a new password; rejects with `OverloadedError` when the limit and its queue are full. */
  hash(password: string, signal?: AbortSignal): Promise<string>;
  /** Checks a password against a stored hash; rejects like `hash`. */
  verify(password: string, stored: string, signal?: AbortSignal): Promise<boolean>;
}

/**
 * scrypt behind the `password-hashing` bulkhead (ADR 0011): at most `concurrency` hashes run at
 * once (each takes ~32 MiB and a thread of libuv's pool, default 4 threads, for tens of ms), up
 * to `queueLimit` wait, each at most `queueTimeoutMs`; past that the request is answered 503
 * `OVERLOADED` at once. A hash whose client has gone (`signal` aborted) is skipped, waiting or
 * not yet started. Before this, a flood of logins queued every hash on the thread pool: a
 * legitimate login waited 19 s behind hashes for clients that had already given up (issue 8).
 */
export function createPasswordHasher(opts: {
  cost: ScryptCost;
  concurrency: number;
  queueLimit: number;
  queueTimeoutMs: number;
  onReject?: (reason: BulkheadRefusal) => void;
}): PasswordHasher {
  const slots = createBulkhead({
    name: 'password-hashing',
    maxConcurrent: opts.concurrency,
    maxQueued: opts.queueLimit,
    maxWaitMs: opts.queueTimeoutMs,
    ...(opts.onReject ? { onReject: opts.onReject } : {}),
  });
  return {
    cost: opts.cost,
    slots,
    hash: (password, signal) => slots.run((s) => hashPassword(password, opts.cost, s), signal),
    verify: (password, stored, signal) => slots.run((s) => verifyPassword(password, stored, s), signal),
  };
}

const perContext = new WeakMap<Context, PasswordHasher>();

/** The process's hasher, built on first use from the context's configuration. */
export function passwordHasherOf(ctx: Context): PasswordHasher {
  let hasher = perContext.get(ctx);
  if (!hasher) {
    hasher = createPasswordHasher({
      cost: passwordCostFor(ctx.config.profile),
      ...ctx.config.passwordHashing,
      onReject: (reason) => ctx.overload.rejected('password-hashing', reason),
    });
    perContext.set(ctx, hasher);
    ctx.overload.watch('password-hashing', hasher.slots);
  }
  return hasher;
}
