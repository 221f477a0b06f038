import type { Redis } from 'ioredis';
import type { Handler, Message, Outbox } from '@surge/messaging';
import { isLockBusyError, type FencedLocks } from '@surge/redis-kit';
import { isTransient, type Log } from '@surge/resilience';
import { EVENT_SOURCE } from '../../context.ts';
import type { Database } from '../../db/schema.ts';
import { OrderConfirmed } from '../orders/order-events.ts';
import { isStaleFenceError, type CancellationsRepo, type Fence } from './cancellations-repo.ts';
import { OrderCancelled } from './deadline-events.ts';
import type { DeadlineSchedule } from './deadline-schedule.ts';

/** Due-schedule consumer: each `order.confirmed` is due `windowMs` after the event's time. Idempotent. */
export function deadlineScheduler(schedule: DeadlineSchedule, windowMs: number): Handler {
  return async (delivery) => {
    if (delivery.type !== OrderConfirmed.type) return;
    const { orderId } = OrderConfirmed.parse(delivery.data);
    const at = Date.parse(delivery.time);
    await schedule.schedule(orderId, (Number.isFinite(at) ? at : delivery.timestamp) + windowMs);
  };
}

export interface PaymentDeadlines {
  /** One pass over the due schedule (at most `batch` orders). Returns how many it cancelled. */
  pollDue(): Promise<number>;
  /** One pass of the MySQL safety net: confirmed orders overdue by more than the grace. */
  sweep(): Promise<number>;
}

/**
 * Cancels confirmed orders not paid within `windowMs`. One instance at a time (the fenced lock;
 * its token is checked by MySQL on every cancellation, so a holder that lost its lock while
 * paused writes nothing). The Redis schedule is polled often; MySQL is swept now and then for
 * what the schedule lost. Each cancellation is a conditional `confirmed → cancelled` with
 * `order.cancelled` in the outbox; the stock-releaser returns the units.
 */
export function createPaymentDeadlines(deps: {
  repo: CancellationsRepo;
  schedule: DeadlineSchedule;
  locks: FencedLocks;
  /** The lock's name; the fence MySQL records is the same name. */
  lockName: string;
  /** The fenced lock's counter key (`<keyPrefix>{<name>}:fencing`): raised after a Redis data loss. */
  fencingKey: string;
  redis: Redis;
  outbox: Outbox;
  topic: (base: string) => string;
  windowMs: number;
  /** How far past its deadline the sweep waits before it acts (the schedule's job). Default 5000. */
  sweepGraceMs?: number;
  batch?: number;
  log: Log;
}): PaymentDeadlines {
  const batch = deps.batch ?? 200;
  const sweepGraceMs = deps.sweepGraceMs ?? 5000;

  const cancel = async (orderId: string, fence: Fence) =>
    deps.repo.cancelIfUnpaid(
      orderId,
      { confirmedBefore: new Date(Date.now() - deps.windowMs), windowMs: deps.windowMs, fence },
      (trx, o) => {
        const event: Message = OrderCancelled.create(
          {
            orderId: o.orderId,
            saleId: o.saleId,
            userId: o.userId,
            quantity: o.quantity,
            reason: 'PAYMENT_TIMEOUT',
            cancelledAt: o.cancelledAt.toISOString(),
          },
          { key: o.orderId, subject: o.orderId, source: EVENT_SOURCE },
        );
        return deps.outbox.add<Database>(trx, deps.topic(OrderCancelled.topic), event);
      },
    );

  /** Runs `work` under the lock; another holder → 0. A stale fence after a Redis data loss raises the counter. */
  async function locked(work: (signal: AbortSignal, fence: Fence) => Promise<number>): Promise<number> {
    try {
      return await deps.locks.withLock(
        deps.lockName,
        (signal, token) => work(signal, { name: deps.lockName, token }),
        {
          waitMs: 0,
        },
      );
    } catch (err) {
      if (isLockBusyError(err)) return 0;
      if (isStaleFenceError(err)) {
        // Our token is below what MySQL recorded: either we were paused past our lease (a newer
        // holder exists), or Redis lost its counter. Raising the counter past the record makes
        // the next acquisition's token valid; it never grants a lock by itself.
        const current = Number((await deps.redis.get(deps.fencingKey)) ?? 0);
        if (current < err.recorded) await deps.redis.incrby(deps.fencingKey, err.recorded - current);
        deps.log.warn({ err }, 'payment deadlines: stale fencing token; counter raised, next round retries');
        return 0;
      }
      throw err;
    }
  }

  async function cancelAll(ids: readonly string[], signal: AbortSignal, fence: Fence) {
    let cancelled = 0;
    const done: string[] = [];
    try {
      for (const id of ids) {
        signal.throwIfAborted();
        let r;
        try {
          r = await cancel(id, fence);
        } catch (err) {
          // MySQL or Redis down, or a newer holder: stop the round. One bad order (a row its
          // event cannot describe) must not hold up the others: log it, keep it, go on.
          if (isTransient(err) || isStaleFenceError(err)) throw err;
          deps.log.error({ err, orderId: id }, 'payment deadline: order could not be cancelled; skipped');
          continue;
        }
        if (r.kind === 'not-due') await deps.schedule.schedule(id, r.dueAtMs);
        else done.push(id);
        if (r.kind === 'cancelled') cancelled++;
      }
    } finally {
      if (cancelled > 0) deps.outbox.notify();
      await deps.schedule.remove(done);
    }
    return cancelled;
  }

  return {
    pollDue: () =>
      locked(async (signal, fence) => cancelAll(await deps.schedule.due(Date.now(), batch), signal, fence)),
    sweep: () =>
      locked(async (signal, fence) =>
        cancelAll(
          await deps.repo.overdue(new Date(Date.now() - deps.windowMs - sweepGraceMs), batch),
          signal,
          fence,
        ),
      ),
  };
}
