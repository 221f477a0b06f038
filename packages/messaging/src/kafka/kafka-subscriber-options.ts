import type { Registry } from 'prom-client';

export interface KafkaSubscriberOptions {
  brokers: string[];
  clientId: string;
  /** Records buffered across this subscription's partitions before fetching pauses. Default 1000. */
  maxBuffered?: number;
  /**
   * Bytes one fetch response may carry, across partitions. Default 1 MiB (the client's own
   * default is 50 MiB). The client parses a response in one synchronous go, and its parse slows
   * down with the response's size (each read finds its chunk by a linear scan): in the P4
   * consume bench, 50 MiB catch-up fetches cost ~28 µs more CPU per record than 1 MiB ones (an
   * estimated ~2 s of blocked event loop per full response), and 1 MiB made the raw client ~3 ×
   * faster. It also bounds what the client buffers beyond `maxBuffered`. Kafka still returns a
   * record batch larger than this, so a big message never stalls a partition.
   */
  maxFetchBytes?: number;
  /** Backoff before redelivering a record whose handler rejected: first delay, cap. Default 100 / 5000 ms. */
  redeliveryBaseMs?: number;
  redeliveryMaxMs?: number;
  /** How long `close` waits for in-flight handlers before aborting their signals. Default 10000 ms. */
  closeTimeoutMs?: number;
  /** Group session timeout. Default 10000 ms (a crashed member's partitions move after this). */
  sessionTimeoutMs?: number;
  /**
   * Registry for `surge_consumer_lag{group,topic,partition}` and
   * `surge_consumer_stuck_seconds{group,topic,partition}` (how long a partition's head record
   * has been in its handler); neither is measured without it.
   */
  metrics?: Registry;
  /** How often lag is measured. Default 10000 ms. */
  lagIntervalMs?: number;
  /** Reports errors the subscriber recovers from by itself (commit failures, reconnects). */
  onError?: (err: unknown, context: string) => void;
}

/** The options with defaults applied and checked; frozen. */
export interface KafkaSubscriberSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly maxBuffered: number;
  readonly maxFetchBytes: number;
  readonly redeliveryBaseMs: number;
  readonly redeliveryMaxMs: number;
  readonly closeTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly metrics: Registry | undefined;
  readonly lagIntervalMs: number;
  readonly onError: (err: unknown, context: string) => void;
}

function positive(name: string, value: number | undefined, fallback: number, max = 86_400_000): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw new TypeError(`${name} must be an integer in 1..${max}, got ${v}`);
  return v;
}

/** Applies defaults; throws `TypeError` naming the first invalid option. */
export function kafkaSubscriberSettings(o: KafkaSubscriberOptions): KafkaSubscriberSettings {
  if (!Array.isArray(o.brokers) || o.brokers.length === 0)
    throw new TypeError('brokers must list at least one host:port');
  if (typeof o.clientId !== 'string' || o.clientId === '')
    throw new TypeError('clientId must be a non-empty string');
  const redeliveryBaseMs = positive('redeliveryBaseMs', o.redeliveryBaseMs, 100);
  const redeliveryMaxMs = positive('redeliveryMaxMs', o.redeliveryMaxMs, 5000);
  if (redeliveryMaxMs < redeliveryBaseMs) throw new TypeError('redeliveryMaxMs must be ≥ redeliveryBaseMs');
  return Object.freeze({
    brokers: Object.freeze([...o.brokers]),
    clientId: o.clientId,
    maxBuffered: positive('maxBuffered', o.maxBuffered, 1000, 1_000_000),
    maxFetchBytes: positive('maxFetchBytes', o.maxFetchBytes, 1024 * 1024, 2 ** 31 - 1),
    redeliveryBaseMs,
    redeliveryMaxMs,
    closeTimeoutMs: positive('closeTimeoutMs', o.closeTimeoutMs, 10_000),
    sessionTimeoutMs: positive('sessionTimeoutMs', o.sessionTimeoutMs, 10_000),
    metrics: o.metrics,
    lagIntervalMs: positive('lagIntervalMs', o.lagIntervalMs, 10_000),
    onError: o.onError ?? (() => {}),
  });
}
