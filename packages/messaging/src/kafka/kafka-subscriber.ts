import {
  Consumer,
  stringDeserializers,
  type Message as KafkaMessage,
  type MessagesStream,
} from '@platformatic/kafka';
import { backoffMs, sleep } from '@surge/resilience';
import { decodeMessage, rawDelivery } from '../cloudevents.ts';
import { GroupTopicMismatchError } from '../group-topic-mismatch-error.ts';
import type { Delivery } from '../message.ts';
import type { SubscribeOptions, Subscriber, Subscription } from '../ports.ts';
import type { Registry } from 'prom-client';
import { consumerLagGauge } from './consumer-lag.ts';
import { PartitionLane } from './partition-lane.ts';

type Record = KafkaMessage<string, string, string, string>;
type Stream = MessagesStream<string, string, string, string>;

export interface KafkaSubscriberOptions {
  brokers: string[];
  clientId: string;
  /** Records buffered across this subscription's partitions before fetching pauses. Default 1000. */
  maxBuffered?: number;
  /** Backoff before redelivering a record whose handler rejected: first delay, cap. Default 100 / 5000 ms. */
  redeliveryBaseMs?: number;
  redeliveryMaxMs?: number;
  /** How long `close` waits for in-flight handlers before aborting their signals. Default 10000 ms. */
  closeTimeoutMs?: number;
  /** Group session timeout. Default 10000 ms (a crashed member's partitions move after this). */
  sessionTimeoutMs?: number;
  /** Registry for `surge_consumer_lag{group,topic,partition}`; lag is not measured without it. */
  metrics?: Registry;
  /** How often lag is measured. Default 10000 ms. */
  lagIntervalMs?: number;
  /** Reports errors the subscriber recovers from by itself (commit failures, reconnects). */
  onError?: (err: unknown, context: string) => void;
}

/**
 * Kafka subscriber on `@platformatic/kafka`. At-least-once by construction: offsets are committed
 * only after the handler resolved (never auto-commit), new groups start at EARLIEST, and a record
 * whose handler rejected is redelivered in place with capped backoff — it is never skipped.
 * Partitions run concurrently; records of one partition run one at a time, in order.
 * A group consumes one topic: subscribing a group this subscriber has used on another topic
 * rejects with `GroupTopicMismatchError`.
 */
export function createKafkaSubscriber(opts: KafkaSubscriberOptions): Subscriber {
  const subscriptions = new Set<Subscription>();
  const report = opts.onError ?? (() => {});
  /** The topic each group was first subscribed to, for this subscriber's lifetime. */
  const groupTopics = new Map<string, string>();

  async function subscribe({ topic, group, handler }: SubscribeOptions): Promise<Subscription> {
    const claimed = groupTopics.get(group) ?? topic;
    if (claimed !== topic) {
      const earlier = { topic: claimed, by: 'an earlier subscription' };
      throw new GroupTopicMismatchError(group, earlier, { topic, by: 'a new subscription' });
    }
    groupTopics.set(group, topic);
    const maxBuffered = opts.maxBuffered ?? 1000;
    const baseMs = opts.redeliveryBaseMs ?? 100;
    const maxMs = opts.redeliveryMaxMs ?? 5000;
    const consumer = new Consumer({
      clientId: opts.clientId,
      bootstrapBrokers: opts.brokers,
      groupId: group,
      autocommit: false,
      deserializers: stringDeserializers,
      sessionTimeout: opts.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: Math.floor((opts.sessionTimeoutMs ?? 10_000) / 4),
      rebalanceTimeout: 30_000,
      maxWaitTime: 500,
      retries: Number.MAX_SAFE_INTEGER,
      retryDelay: 500,
    });
    const lanes = new Map<number, PartitionLane<Record>>();
    const closing = new AbortController();
    const hardStop = new AbortController();
    let buffered = 0;
    // Assigned once `consume` resolves; group events can fire before that, hence `let`.
    // eslint-disable-next-line prefer-const
    let stream: Stream | undefined;

    // Partitions this member no longer owns: drop what is queued (the new owner re-reads it from
    // the committed offset) and never commit for them.
    consumer.on(
      'consumer:group:join',
      (payload: { assignments?: Array<{ topic: string; partitions: number[] }> }) => {
        const owned = new Set(payload.assignments?.find((a) => a.topic === topic)?.partitions ?? []);
        for (const [partition, lane] of lanes) {
          if (owned.has(partition)) continue;
          lane.revoked = true;
          buffered -= lane.queue.length - (lane.busy ? 1 : 0);
          lane.queue.length = lane.busy ? 1 : 0;
          lanes.delete(partition);
        }
        resumeIfRoom();
      },
    );

    function resumeIfRoom() {
      if (stream && buffered < maxBuffered / 2 && stream.isPaused() && !closing.signal.aborted)
        stream.resume();
    }

    /** Runs a lane's records one at a time; `busy` is cleared in the same tick the loop ends. */
    async function drain(lane: PartitionLane<Record>) {
      try {
        await drainLoop(lane);
      } finally {
        lane.busy = false;
      }
    }

    async function drainLoop(lane: PartitionLane<Record>) {
      while (lane.queue.length > 0 && !lane.revoked) {
        const record = lane.queue[0] as Record;
        let attempt = 1;
        for (;;) {
          const delivery = toDelivery(record, attempt);
          try {
            await handler(delivery, hardStop.signal);
            break;
          } catch (err) {
            report(
              err,
              `handler failed on ${topic}/${record.partition}@${record.offset} (attempt ${attempt})`,
            );
            if (lane.revoked || hardStop.signal.aborted) return;
            await sleep(backoffMs(attempt, { baseMs, maxMs }), hardStop.signal);
            if (lane.revoked || hardStop.signal.aborted) return;
            attempt++;
          }
        }
        if (lane.revoked) return;
        // Not awaited: the client coalesces commits per partition and only moves offsets forward,
        // and closing the stream flushes pending ones. Awaiting each would cap a partition at one
        // commit round trip per record (bench: 11x slower). A failed commit is covered by a later
        // one; after a crash its record is redelivered (at-least-once).
        Promise.resolve(record.commit()).catch((err: unknown) =>
          report(err, `commit failed on ${topic}/${record.partition}@${record.offset}`),
        );
        lane.queue.shift();
        buffered--;
        resumeIfRoom();
      }
    }

    function onRecord(record: Record) {
      let lane = lanes.get(record.partition);
      if (!lane) lanes.set(record.partition, (lane = new PartitionLane(record.partition)));
      if (!lane.offer(record)) return;
      buffered++;
      if (buffered >= maxBuffered) stream?.pause();
      if (!lane.busy) {
        lane.busy = true;
        lane.running = drain(lane);
      }
    }

    function toDelivery(r: Record, attempt: number): Delivery {
      const headers: { [k: string]: string } = {};
      for (const [k, v] of r.headers) headers[k] = v;
      const position = {
        topic: r.topic,
        partition: r.partition,
        offset: r.offset.toString(),
        timestamp: Number(r.timestamp),
        deliveryAttempt: attempt,
      };
      try {
        return { ...decodeMessage({ key: r.key ?? '', value: r.value ?? '', headers }), ...position };
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        return { ...rawDelivery(r.key ?? '', r.value ?? '', headers), ...position, malformed: reason };
      }
    }

    stream = await consumer.consume({
      topics: [topic],
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: false,
      maxWaitTime: 500,
    });
    stream.on('data', onRecord);
    if (opts.metrics) {
      const lag = consumerLagGauge(opts.metrics);
      consumer.on('consumer:lag', (l: Map<string, bigint[]>) => lag.record(group, l));
      // Lag errors (broker down) are reported on this event; they must not become 'error' events.
      consumer.on('consumer:lag:error', (err: unknown) => report(err, `measuring lag of ${topic}`));
      consumer.startLagMonitoring({ topics: [topic] }, opts.lagIntervalMs ?? 10_000);
    }
    stream.on('error', (err) => report(err, `consumer stream error on ${topic} (group ${group})`));

    const sub: Subscription = {
      async close() {
        if (closing.signal.aborted) return;
        closing.abort();
        if (opts.metrics) consumer.stopLagMonitoring();
        stream?.pause();
        const timer = setTimeout(
          () => hardStop.abort(new Error('close timed out')),
          opts.closeTimeoutMs ?? 10_000,
        );
        // Finish in-flight deliveries (they commit); queued ones stay uncommitted for the next owner.
        for (const lane of lanes.values()) lane.queue.length = Math.min(lane.queue.length, lane.busy ? 1 : 0);
        await Promise.allSettled([...lanes.values()].map((l) => l.running ?? Promise.resolve()));
        clearTimeout(timer);
        hardStop.abort();
        await stream?.close().catch((err: unknown) => report(err, 'closing stream'));
        await consumer.close().catch((err: unknown) => report(err, 'closing consumer'));
        subscriptions.delete(sub);
      },
    };
    subscriptions.add(sub);
    return sub;
  }

  return {
    subscribe,
    async close() {
      await Promise.allSettled([...subscriptions].map((s) => s.close()));
    },
  };
}
