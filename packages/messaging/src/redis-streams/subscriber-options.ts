import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisOptions } from 'ioredis';
import { silentLog, type Log } from '@surge/resilience';

export interface RedisStreamsSubscriberOptions {
  /** `redis://` or `rediss://` URL of a standalone Redis ≥ 7.0 (XAUTOCLAIM, its deleted-ids reply). */
  url: string;
  /** More ioredis options (TLS, credentials, …); the timeouts and retry policy below win. */
  redisOptions?: RedisOptions;
  /**
   * This member's consumer name in its groups. Default `<hostname>-<pid>-<random>`: unique, and
   * deleted from the group on a clean close. A stable name lets a restarted process take back
   * its own pending entries at once instead of after `claimIdleMs`; never give two live members
   * the same name.
   */
  consumerName?: string;
  /** How long one `XREADGROUP … BLOCK` waits for new entries, ms. Default 2000. */
  blockMs?: number;
  /**
   * Entries pending this long with another member are taken over (`XAUTOCLAIM`), ms: how long a
   * crashed member's entries wait. Members keep their own entries fresh while they work on them,
   * so a slow handler is not mistaken for a dead member. Default 30000; checked every half of it.
   */
  claimIdleMs?: number;
  /** Entries read per `XREADGROUP`. Default 50. */
  batchSize?: number;
  /** Timeout of every non-blocking command, and of connecting, ms. Default 5000. */
  commandTimeoutMs?: number;
  /** Backoff before redelivering an entry whose handler rejected: first delay, cap. Default 100 / 5000 ms. */
  redeliveryBaseMs?: number;
  redeliveryMaxMs?: number;
  /** How long `close` waits for in-flight handlers before aborting their signals. Default 10000 ms. */
  closeTimeoutMs?: number;
  /** Reports (`warn`) what the subscriber recovers from by itself: handler rejections, Redis errors, trimmed entries. Default silent. */
  log?: Log;
}

/** The options with defaults applied and checked. */
export interface SubscriberSettings {
  url: string;
  redisOptions: RedisOptions;
  consumerName: string;
  /** True when the name was generated: it is then safe to delete the consumer on close. */
  ownsConsumerName: boolean;
  blockMs: number;
  claimIdleMs: number;
  batchSize: number;
  commandTimeoutMs: number;
  redeliveryBaseMs: number;
  redeliveryMaxMs: number;
  closeTimeoutMs: number;
  log: Log;
}

function positive(name: string, value: number | undefined, fallback: number, max = 86_400_000): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw new TypeError(`${name} must be an integer in 1..${max}, got ${v}`);
  return v;
}

/** Applies defaults; throws `TypeError` naming the first invalid option. */
export function subscriberSettings(o: RedisStreamsSubscriberOptions): SubscriberSettings {
  if (typeof o.url !== 'string' || !/^rediss?:\/\//.test(o.url))
    throw new TypeError('url must be a redis:// URL');
  const redeliveryBaseMs = positive('redeliveryBaseMs', o.redeliveryBaseMs, 100);
  const redeliveryMaxMs = positive('redeliveryMaxMs', o.redeliveryMaxMs, 5000);
  if (redeliveryMaxMs < redeliveryBaseMs) throw new TypeError('redeliveryMaxMs must be ≥ redeliveryBaseMs');
  return {
    url: o.url,
    redisOptions: o.redisOptions ?? {},
    consumerName: o.consumerName ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    ownsConsumerName: o.consumerName === undefined,
    blockMs: positive('blockMs', o.blockMs, 2000),
    claimIdleMs: positive('claimIdleMs', o.claimIdleMs, 30_000),
    batchSize: positive('batchSize', o.batchSize, 50, 10_000),
    commandTimeoutMs: positive('commandTimeoutMs', o.commandTimeoutMs, 5000),
    redeliveryBaseMs,
    redeliveryMaxMs,
    closeTimeoutMs: positive('closeTimeoutMs', o.closeTimeoutMs, 10_000),
    log: o.log ?? silentLog,
  };
}
